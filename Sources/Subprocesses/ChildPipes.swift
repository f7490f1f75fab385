#if canImport(Glibc)
import Glibc
#endif

/// Feeds a child's standard input and reads its output pipes until the child has exited — not until every writer has
/// closed them. A pipe's write end can outlive the child: a process the child left behind (a `sleep &` in a script)
/// keeps it, and a reader waiting for end of file would wait for that process too. Whether the child has exited is
/// asked by the caller's `exited` (`waitpid`).
enum ChildPipes {
    struct Output: Sendable {
        /// What was read from each descriptor, in the order given (at most `limit` bytes each; the rest is dropped).
        var bytes: [[UInt8]]
        /// The deadline passed before every pipe was at end of file and before the child exited.
        var timedOut: Bool
    }

    /// Writes `input` to `inputDescriptor` (then calls `closeInput`, also when the child stops reading) and reads
    /// `descriptors` (read ends), all set non-blocking here, with poll(2) at most `pollMilliseconds` per wait, until the
    /// input is written and each output is at end of file, or `exited()` says the child has exited (then one more pass
    /// reads what is left, without waiting), or `deadline` passes. SIGPIPE is blocked on this thread while it writes.
    /// Blocks the calling thread: run it on a thread of its own.
    static func exchange(
        input: [UInt8] = [], inputDescriptor: Int32? = nil, closeInput: () -> Void = {}, outputs descriptors: [Int32],
        until deadline: ContinuousClock.Instant? = nil, limit: Int = .max, pollMilliseconds: Int32 = 50, exited: () -> Bool
    ) -> Output {
        var bytes = descriptors.map { _ in [UInt8]() }
        var open = Array(descriptors.indices)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var written = 0
        var writing = inputDescriptor
        let signals = SignalPipeGuard(active: writing != nil)
        defer { signals.restore() }
        func finishInput() {
            if writing != nil { closeInput() }
            writing = nil
        }
        if input.isEmpty { finishInput() }
        defer { finishInput() }
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
        /// Writes what the pipe takes now; the input is finished once all is written or the reader has gone.
        func feed(_ fd: Int32) {
            while written < input.count {
                let count = input.withUnsafeBytes { buffer -> Int in
                    guard let base = buffer.baseAddress else { return 0 }
                    return Glibc.write(fd, base + written, buffer.count - written)
                }
                if count > 0 {
                    written += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else if count < 0 && errno == EAGAIN {
                    return
                } else {
                    break
                }
            }
            finishInput()
        }
        for fd in descriptors + (writing.map { [$0] } ?? []) { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        while !open.isEmpty || writing != nil {
            var wait = pollMilliseconds
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return Output(bytes: bytes, timedOut: true) }
                let leftMilliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
                wait = Int32(clamping: min(Int64(pollMilliseconds), leftMilliseconds))
            }
            var fds = open.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            if let writing { fds.append(pollfd(fd: writing, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), wait) < 0 && errno != EINTR { break }
            for (slot, index) in zip(fds.indices, open) where fds[slot].revents != 0 {
                if !drain(index) { open.removeAll { $0 == index } }
            }
            if let writing, let last = fds.last, last.fd == writing, last.revents != 0 { feed(writing) }
            if (!open.isEmpty || writing != nil) && exited() {
                for index in open { _ = drain(index) }
                break
            }
        }
        return Output(bytes: bytes, timedOut: false)
    }
}

/// SIGPIPE blocked on the calling thread while it writes to a child's standard input: a child that stops reading makes
/// the write fail with EPIPE instead of ending this process. `restore` takes back a SIGPIPE that became pending and
/// unblocks it (unless it was blocked before).
private struct SignalPipeGuard {
    private var previous = sigset_t()
    private let active: Bool

    init(active: Bool) {
        var pipe = sigset_t()
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        self.active = active && pthread_sigmask(SIG_BLOCK, &pipe, &previous) == 0 && sigismember(&previous, SIGPIPE) == 0
    }

    func restore() {
        guard active else { return }
        var pipe = sigset_t()
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        var pending = sigset_t()
        if sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1 {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipe, nil, &none)
        }
        var unchanged = previous
        _ = pthread_sigmask(SIG_SETMASK, &unchanged, nil)
    }
}
