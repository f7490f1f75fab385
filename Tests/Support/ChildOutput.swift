import Changers
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reading a test's child processes without Foundation's waits. Foundation's `Process` can pass a pipe made by one
/// test to a daemon that another test spawns at the same moment; that daemon then holds the pipe's write end for its
/// whole life. A reader waiting for end of file waited with it: in a CI run two tests reading `ldd`'s output held both
/// cooperative threads for 30 s, until another test's daemon exited, and every test of the process stalled.
public enum ChildOutput {
    /// The bytes `process` wrote to each of `handles` (read ends of its pipes), in order. Returns when every pipe is
    /// at end of file or the process has exited (checked every 50 ms; then what is left is read without waiting).
    public static func read(_ process: Process, _ handles: [FileHandle]) -> [Data] {
        ChildPipes.read(handles.map(\.fileDescriptor), exited: { hasExited(process) }).bytes.map { Data($0) }
    }

    /// True once `process` is a zombie (`ChildExit`) or reaped. `Process.isRunning` stays true while any process
    /// that inherited Foundation's exit socket lives.
    public static func hasExited(_ process: Process) -> Bool {
        ChildExit.of(process.processIdentifier) != nil || !process.isRunning
    }

    /// `process`'s exit status (or the signal that ended it), waiting while it runs — from the kernel while it is a
    /// zombie, without `waitUntilExit()`, which waits for every process that inherited Foundation's exit socket.
    public static func exitStatus(_ process: Process) -> Int32 {
        while true {
            if let ending = ChildExit.of(process.processIdentifier) { return ending.status }
            if !process.isRunning { return process.terminationStatus }
            usleep(10_000)
        }
    }
}
