import CapstanCLI
import DirectorProgram
import FileDaemonProgram
import StorageDaemonProgram

/// One binary for all four programs: the package links capstan-sd, capstan-dir and capstan-fd to it, and the name it
/// was started under picks the command (MultiCallProgram).
@main
enum ProgramEntry {
    // in an async function the async `main()` of AsyncParsableCommand is chosen, not the synchronous one
    static func main() async {
        switch MultiCallProgram(argumentZero: CommandLine.arguments.first) {
        case .storageDaemon: await StorageDaemonCommand.main()
        case .director: await DirectorCommand.main()
        case .fileDaemon: await FileDaemonCommand.main()
        case .tools: await Capstan.main()
        }
    }
}
