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

    /// The program's standard output and error (bacula-fd reads both as names, in the order written), waiting for it
    /// to end (`Subprocess.run`: no shell, the program looked up in PATH, standard input /dev/null).
    static func run(_ commandLine: String, shown: String) throws(Failure) -> [UInt8] {
        let completion: Subprocess.Completion
        do {
            completion = try Subprocess.run(try ProgramArguments.argv(commandLine), mergeErrors: true)
        } catch {
            throw Failure(description: "Cannot run program: \(shown). ERR=\(String(cString: strerror(error.code)))")
        }
        guard completion.exit == ChildExit(status: 0, signalled: false) else {
            let how = completion.exit.signalled
                ? "Child died from signal \(completion.exit.status)" : "Child exited with code \(completion.exit.status)"
            throw Failure(description: "Error running program: \(shown). stat=\(completion.exit.status): ERR=\(how)")
        }
        return completion.output
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
