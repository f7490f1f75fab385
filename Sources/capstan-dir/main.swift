import ArgumentParser
import CapstanCLI
import CapstanConfig

/// `capstan-dir`: reads a Bacula Director configuration; `-t` checks it.
struct DirectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capstan-dir", abstract: "Capstan Director: schedules jobs and keeps the catalog (port 9101).")

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let path = options.configPath(defaultName: "capstan-dir.conf")
        guard ConfigFileCheck.check(path: path, kind: .director, quietWhenValid: !options.testConfiguration) != nil else {
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        if options.testConfiguration { return }
        print("capstan-dir: the configuration is valid; this daemon's service is not built yet.")
        throw ExitCode(69)  // EX_UNAVAILABLE
    }
}

DirectorCommand.main()
