import FileDaemonProtocol
import Subprocesses
import Glibc

/// Replaces the `F |command` and `F <file` items of a FileSet (Includes and Excludes) by the names the command
/// prints or the file lists, as bacula-fd does when it receives the FileSet. Blocking: runs on the job's reader
/// thread. A program that cannot run or ends with a non-zero status, or a list file that cannot be read, is a
/// fatal error of the job (bacula-fd's messages).
enum FileListExpander {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func expand(_ fileSet: FileSetDescription, job: JobIdentity, clientName: String) throws(Failure)
        -> FileSetDescription
    {
        var expanded = fileSet
        for index in expanded.blocks.indices {
            var files: [[UInt8]] = []
            for item in expanded.blocks[index].files {
                switch FileListItem(item) {
                case .path(let path):
                    files.append(path)
                case .command(let command):
                    let line = JobCodes.expand(command, job: job, clientName: clientName)
                    files += FileListItem.names(in: try run(line, shown: command))
                case .listFile(let path):
                    files += FileListItem.names(in: try read(path))
                }
            }
            expanded.blocks[index].files = files
        }
        return expanded
    }

    /// The program's standard output and error (bacula-fd reads both as names), waiting for it to end.
    static func run(_ commandLine: String, shown: String) throws(Failure) -> [UInt8] {
        let arguments = ProgramArguments.split(commandLine)
        guard !arguments.isEmpty else { throw Failure(description: "Cannot run program: \(shown). ERR=empty command") }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            throw Failure(description: "Cannot run program: \(shown). ERR=\(String(cString: strerror(errno)))")
        }
        // Only the copies on 1 and 2 go to the program (the spawn is not atomic with other threads' spawns, but
        // a stray copy of the write end only delays this reader's end of file until that other program ends).
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard let program = argv[0] else { throw Failure(description: "Cannot run program: \(shown). ERR=out of memory") }
        let spawned = posix_spawnp(&pid, program, &actions, nil, &argv, environ)
        close(pipeEnds[1])
        guard spawned == 0 else {
            close(pipeEnds[0])
            throw Failure(description: "Cannot run program: \(shown). ERR=\(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(pipeEnds[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer.prefix(count)
        }
        close(pipeEnds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : status & 0x7F
        guard exited && code == 0 else {
            let how = exited ? "Child exited with code \(code)" : "Child died from signal \(code)"
            throw Failure(description: "Error running program: \(shown). stat=\(code): ERR=\(how)")
        }
        return output
    }

    static func read(_ path: [UInt8]) throws(Failure) -> [UInt8] {
        let name = BytePath(path)
        let descriptor = name.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            throw Failure(description: "Cannot open FileSet input file: \(name). ERR=\(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                throw Failure(description: "Cannot read FileSet input file: \(name). ERR=\(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            output += buffer.prefix(count)
        }
        return output
    }
}
