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

    /// A started program and the read ends of its standard output and error.
    struct Started {
        let process: Process
        let out: Pipe
        let err: Pipe
    }

    /// Starts `arguments[0]` with the rest as its arguments, standard input from /dev/null. While the kernel refuses
    /// to run the file because it is open for writing somewhere (`ETXTBSY`: a script just written whose writer's
    /// descriptor a process forked beside it still holds, or a script being replaced), calls `busy` (by default a
    /// 50 ms pause) and tries again, `attempts` times in all; any other failure, or the last busy one, is thrown.
    static func start(_ arguments: [String], attempts: Int = 20, busy: () -> Void = { usleep(50_000) }) throws -> Started {
        guard let program = arguments.first else { throw CocoaError(.fileNoSuchFile) }
        var attempt = 1
        while true {
            let started = Started(process: Process(), out: Pipe(), err: Pipe())
            started.process.executableURL = URL(fileURLWithPath: program)
            started.process.arguments = Array(arguments.dropFirst())
            started.process.standardOutput = started.out
            started.process.standardError = started.err
            started.process.standardInput = FileHandle.nullDevice
            do {
                try started.process.run()
                return started
            } catch where attempt < attempts && isBusy(error) {
                attempt += 1
                busy()
            }
        }
    }

    /// Foundation's error for a program the kernel refused with `ETXTBSY`.
    static func isBusy(_ error: any Error) -> Bool {
        guard let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError else { return false }
        return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ETXTBSY)
    }

    private static func runBlocking(_ arguments: [String], timeoutSeconds: Int) throws -> Outcome {
        let started = try start(arguments)
        let (process, out, err) = (started.process, started.out, started.err)
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        // Once the script has exited, what is left is read without waiting for end of file, which never comes while a
        // process the script left behind (or one spawned beside it) still holds a write end (ChildPipes).
        let descriptors = [out.fileHandleForReading.fileDescriptor, err.fileHandleForReading.fileDescriptor]
        let read = ChildPipes.read(
            descriptors, until: ContinuousClock.now + .seconds(timeoutSeconds), limit: maximumOutput, pollMilliseconds: 100,
            exited: { !isAlive(process) })
        if read.timedOut { stop(process) }
        // Not `waitUntilExit()`: Foundation waits for every process that inherited its exit socket (see ChildExit).
        let ending = Self.ending(of: process)
        return Outcome(
            status: ending.status, signalled: ending.signalled, timedOut: read.timedOut,
            output: String(decoding: read.bytes[0], as: UTF8.self), errors: String(decoding: read.bytes[1], as: UTF8.self))
    }
}
