import ArgumentParser
import CapstanCLI
import CapstanConfig

/// `capstan-fd`: reads a Bacula FileDaemon configuration; `-t` checks it.
struct FileDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capstan-fd", abstract: "Capstan File daemon: backs up and restores this machine's files (port 9102).")

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let path = options.configPath(defaultName: "capstan-fd.conf")
        guard ConfigFileCheck.check(path: path, kind: .fileDaemon, quietWhenValid: !options.testConfiguration) != nil else {
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        if options.testConfiguration { return }
        print("capstan-fd: the configuration is valid; this daemon's service is not built yet.")
        throw ExitCode(69)  // EX_UNAVAILABLE
    }
}

FileDaemonCommand.main()
