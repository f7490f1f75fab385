#if canImport(Glibc)
import Glibc
#endif

/// Reads a child's output pipes until the child has exited — not until every writer has closed them. A pipe's write
/// end can outlive the child: a process the child left behind keeps it, and so does a process that another thread
/// spawned at the same moment (Foundation's `Process` does not mark its pipes close-on-exec for other children). A
/// reader waiting for end of file waits for that process too. Whether the child has exited is asked of the kernel
/// (`ChildExit`) by the caller's `exited`.
public enum ChildPipes {
    public struct Output: Sendable {
        /// What was read from each descriptor, in the order given (at most `limit` bytes each; the rest is dropped).
        public var bytes: [[UInt8]]
        /// The deadline passed before every pipe was at end of file and before the child exited.
        public var timedOut: Bool
    }

    /// Reads `descriptors` (read ends, set non-blocking here) with poll(2), at most `pollMilliseconds` per wait, until
    /// each is at end of file or broken, or `exited()` says the child has exited (then one more pass reads what is
    /// left, without waiting), or `deadline` passes. Blocks the calling thread: run it on a thread of its own.
    public static func read(
        _ descriptors: [Int32], until deadline: ContinuousClock.Instant? = nil, limit: Int = .max,
        pollMilliseconds: Int32 = 50, exited: () -> Bool
    ) -> Output {
        var bytes = descriptors.map { _ in [UInt8]() }
        var open = Array(descriptors.indices)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        /// Reads what `descriptors[index]` has now; false at end of file or on an error other than EINTR/EAGAIN.
        func drain(_ index: Int) -> Bool {
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptors[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    let room = max(0, limit - bytes[index].count)
                    if room > 0 { bytes[index].append(contentsOf: chunk[0..<min(count, room)]) }
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                return count < 0 && errno == EAGAIN
            }
        }
        for fd in descriptors { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        while !open.isEmpty {
            var wait = pollMilliseconds
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return Output(bytes: bytes, timedOut: true) }
                let leftMilliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
                wait = Int32(clamping: min(Int64(pollMilliseconds), leftMilliseconds))
            }
            var fds = open.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), wait) < 0 && errno != EINTR { break }
            for (slot, index) in zip(fds.indices, open) where fds[slot].revents != 0 {
                if !drain(index) { open.removeAll { $0 == index } }
            }
            if !open.isEmpty && exited() {
                for index in open { _ = drain(index) }
                break
            }
        }
        return Output(bytes: bytes, timedOut: false)
    }
}
