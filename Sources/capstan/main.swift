import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capstan")
    func run() throws {}
}
Main.main()
