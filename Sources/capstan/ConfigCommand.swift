import ArgumentParser
import CapstanCLI
import CapstanConfig

/// `capstan config check|show`: look at any of the four kinds of configuration file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check or show a Bacula/Capstan configuration file.",
        subcommands: [Check.self, Show.self])

    /// Which daemon a file is for; detected from its resources when absent.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case sd, dir, fd, console

        var daemonKind: DaemonKind {
            switch self {
            case .sd: return .storage
            case .dir: return .director
            case .fd: return .fileDaemon
            case .console: return .console
            }
        }
    }

    /// The file and, optionally, its kind: what both subcommands take.
    struct FileArguments: ParsableArguments {
        @Option(name: .customLong("for"), help: "The kind of file: sd, dir, fd or console (default: detected).")
        var kind: Kind?

        @Argument(help: "The configuration file.")
        var file: String
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every error and warning of a configuration file; exit 0 when it has no error.")

        @OptionGroup var arguments: FileArguments

        func run() throws {
            guard ConfigFileCheck.check(path: arguments.file, kind: arguments.kind?.daemonKind) != nil else {
                throw ExitCode(ConfigFileCheck.configErrorExitCode)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the typed configuration with every default filled in (it parses back unchanged).")

        @OptionGroup var arguments: FileArguments

        func run() throws {
            guard
                let configuration = ConfigFileCheck.check(
                    path: arguments.file, kind: arguments.kind?.daemonKind, quietWhenValid: true)
            else {
                throw ExitCode(ConfigFileCheck.configErrorExitCode)
            }
            print(ConfigPrinter.render(configuration), terminator: "")
        }
    }
}
