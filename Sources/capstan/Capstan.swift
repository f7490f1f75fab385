import ArgumentParser
import CapstanConfig
import CapstanCLI

/// `capstan`: the console and the tools. Each subcommand lives in its own file.
struct Capstan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capstan",
        abstract: "Capstan console and tools.",
        version: CapstanVersion.number,
        subcommands: [
            // one line per subcommand; keep this list sorted
            ChangerCommand.self,
            ConfigCommand.self,
            ConsoleCommand.self,
            DevicesCommand.self,
            Extract.self,
            Ls.self,
            TapeCommand.self,
            TLSCommand.self,
        ])
}
