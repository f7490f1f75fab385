import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capstan-sd")
    func run() throws {}
}
Main.main()
