import FileDaemonProgram

/// `capstan-fd` built as its own program, for development and the tests; the package installs the name as a link
/// to `capstan`, which runs the same command (MultiCallProgram).
@main
enum FileDaemonEntry {
    // in an async function the async `main()` of AsyncParsableCommand is chosen, not the synchronous one
    static func main() async { await FileDaemonCommand.main() }
}
