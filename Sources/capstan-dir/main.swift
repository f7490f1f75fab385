import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capstan-dir")
    func run() throws {}
}
Main.main()
