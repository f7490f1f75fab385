import Changers
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads a child's output pipes until the child has exited — not until every writer has closed them. Foundation's
/// `Process` can pass a pipe made by one test to a daemon that another test spawns at the same moment; that daemon
/// then holds the pipe's write end for its whole life. A reader waiting for end of file waited with it: in a CI run
/// two tests reading `ldd`'s output held both cooperative threads for 30 s, until another test's daemon exited, and
/// every test of the process stalled. Once the child has exited, what is left in the pipes is read without waiting.
public enum ChildOutput {
    /// The bytes `process` wrote to each of `handles` (read ends of its pipes), in order. Returns when every pipe is
    /// at end of file or the process has exited (checked every 50 ms).
    public static func read(_ process: Process, _ handles: [FileHandle]) -> [Data] {
        let descriptors = handles.map(\.fileDescriptor)
        var collected = descriptors.map { _ in Data() }
        var open = Set(descriptors.indices)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        /// Reads what `descriptors[index]` has now; false at end of file or on an error other than EINTR/EAGAIN.
        func drain(_ index: Int) -> Bool {
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptors[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[index].append(contentsOf: chunk[0..<count])
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                return count < 0 && errno == EAGAIN
            }
        }
        for index in open { _ = fcntl(descriptors[index], F_SETFL, fcntl(descriptors[index], F_GETFL) | O_NONBLOCK) }
        while !open.isEmpty {
            let polled = open.sorted()
            var fds = polled.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), 50)
            for (slot, index) in polled.enumerated() where fds[slot].revents != 0 {
                if !drain(index) { open.remove(index) }
            }
            if !open.isEmpty && hasExited(process) {
                for index in open { _ = drain(index) }
                break
            }
        }
        return collected
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
