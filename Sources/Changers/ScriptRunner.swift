import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs one program to completion with a time limit. The wait happens on a thread of its own (poll(2) on the
/// output pipes), never on the concurrency pool nor on libdispatch's small pool of worker threads.
enum ScriptRunner {
    struct Outcome: Sendable {
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var output: String
        var errors: String
    }

    /// Output beyond this is dropped (a changer script prints a few lines per slot).
    static let maximumOutput = 4 << 20

    static func run(_ arguments: [String], timeoutSeconds: Int) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(arguments, timeoutSeconds: timeoutSeconds) })
            }
            thread.name = "capstan.changer-command"
            thread.start()
        }
    }

    /// SIGTERM to the child we started (by its pid), SIGKILL if it is still there 2 s later (a child may inherit a
    /// signal mask that blocks SIGTERM).
    private static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<20 where isAlive(process) { usleep(100_000) }
        if isAlive(process) { kill(process.processIdentifier, SIGKILL) }
    }

    /// Neither a zombie (`ChildExit`) nor reaped.
    private static func isAlive(_ process: Process) -> Bool {
        ChildExit.of(process.processIdentifier) == nil && process.isRunning
    }

    /// How `process` ended: from the kernel while it is a zombie, else from Foundation once it has reaped it. Waits
    /// (10 ms steps) while the process still runs.
    private static func ending(of process: Process) -> ChildExit {
        while true {
            if let exit = ChildExit.of(process.processIdentifier) { return exit }
            if !process.isRunning {
                return ChildExit(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal)
            }
            usleep(10_000)
        }
    }

    private static func runBlocking(_ arguments: [String], timeoutSeconds: Int) throws -> Outcome {
        guard let program = arguments.first else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        var buffers: [Int32: [UInt8]] = [out.fileHandleForReading.fileDescriptor: [], err.fileHandleForReading.fileDescriptor: []]
        var open = Array(buffers.keys)
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 65_536)
        // Non-blocking reads: once the script has exited, what is left is read without waiting for end of file, which
        // never comes while a process the script left behind (or one spawned beside it) still holds a write end.
        // Whether it has exited is the kernel's answer (`ChildExit`), not `Process.isRunning`.
        for fd in open { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var exited = false
        while !open.isEmpty {
            let left = deadline - ContinuousClock.now
            if left <= .zero {
                timedOut = true
                stop(process)
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // at most 100 ms, so an exited script is noticed while its pipes stay open
            let millis = min(100, Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1))
            let ready = poll(&fds, nfds_t(fds.count), millis)
            if ready < 0 && errno != EINTR { break }
            for p in fds where p.revents != 0 || exited {
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        if (buffers[p.fd]?.count ?? 0) < maximumOutput { buffers[p.fd]?.append(contentsOf: chunk[0..<n]) }
                        continue
                    }
                    if n < 0 && errno == EINTR { continue }
                    if n == 0 || errno != EAGAIN { open.removeAll { $0 == p.fd } }
                    break
                }
            }
            if exited { break }
            exited = !isAlive(process)  // one more pass reads what is left, then the loop ends
        }
        // Not `waitUntilExit()`: Foundation waits for every process that inherited its exit socket (see ChildExit).
        let ending = Self.ending(of: process)
        return Outcome(
            status: ending.status, signalled: ending.signalled,
            timedOut: timedOut, output: String(decoding: buffers[out.fileHandleForReading.fileDescriptor] ?? [], as: UTF8.self),
            errors: String(decoding: buffers[err.fileHandleForReading.fileDescriptor] ?? [], as: UTF8.self))
    }
}
