import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capstan-fd")
    func run() throws {}
}
Main.main()
