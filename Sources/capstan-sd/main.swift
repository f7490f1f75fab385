import ArgumentParser
import CapstanCLI
import CapstanConfig

/// `capstan-sd`: the Storage daemon. Reads a Bacula SD configuration (an existing bacula-sd.conf works unchanged).
struct StorageDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capstan-sd",
        abstract: "Capstan Storage daemon: receives backups on port 9103 and writes Bacula 9.6 volumes.")

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let path = options.configPath(defaultName: "capstan-sd.conf")
        guard ConfigFileCheck.check(path: path, kind: .storage, quietWhenValid: !options.testConfiguration) != nil else {
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        if options.testConfiguration { return }
        print("capstan-sd: the configuration is valid; serving jobs arrives with the Storage-daemon work (issue 5).")
        throw ExitCode(69)  // EX_UNAVAILABLE
    }
}

StorageDaemonCommand.main()
