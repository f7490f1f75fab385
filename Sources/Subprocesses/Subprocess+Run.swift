import Foundation
import Synchronization

extension Subprocess {
    /// A program run to its end.
    public struct Completion: Sendable {
        public var exit: ChildExit
        public var output: [UInt8]
        public var errors: [UInt8]
        /// The time limit passed: the program was stopped (SIGTERM, SIGKILL 2 s later).
        public var timedOut: Bool

        public var outputText: String { String(decoding: output, as: UTF8.self) }
        public var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    /// Runs `arguments` to its end: `input` on its standard input (then end of file; /dev/null when nil), standard
    /// output and error collected (at most `limit` bytes each; with `mergeErrors` both go to `output`, in the order
    /// written), stopped when `timeout` passes — with whatever it started: it leads a process group of its own.
    /// Blocks the calling thread: call it from a thread of its own
    /// (`runDetached`), never from the concurrency pool. Throws only when the program cannot be started.
    public static func run(
        _ arguments: [String], input: [UInt8]? = nil, timeout: Duration? = nil, limit: Int = .max,
        mergeErrors: Bool = false, environment: [String: String]? = nil
    ) throws(SpawnError) -> Completion {
        let child = try start(arguments, input: input, mergeErrors: mergeErrors, environment: environment)
        return child.complete(input: input, timeout: timeout, limit: limit)
    }

    /// `run` on a thread of its own (not the concurrency pool, not libdispatch's workers), awaited. When the awaiting
    /// task is cancelled and `stopWhenCancelled`, the program is stopped as a timed-out one is (SIGTERM, SIGKILL 2 s
    /// later) and what it wrote until then is returned: a cancelled job does not wait for a script that hangs.
    public static func runDetached(
        _ arguments: [String], input: [UInt8]? = nil, timeout: Duration? = nil, limit: Int = .max,
        mergeErrors: Bool = false, environment: [String: String]? = nil, threadName: String = "capstan.subprocess",
        stopWhenCancelled: Bool = true
    ) async throws(SpawnError) -> Completion {
        let running = RunningChild()
        let result: Result<Completion, SpawnError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: Result { () throws(SpawnError) -> Completion in
                        let child = try start(arguments, input: input, mergeErrors: mergeErrors, environment: environment)
                        if running.started(child) && stopWhenCancelled { stopInBackground(child) }
                        return child.complete(input: input, timeout: timeout, limit: limit)
                    })
                }
                thread.name = threadName
                thread.start()
            }
        } onCancel: {
            if let child = running.cancel(), stopWhenCancelled { stopInBackground(child) }
        }
        return try result.get()
    }

    private static func start(
        _ arguments: [String], input: [UInt8]?, mergeErrors: Bool, environment: [String: String]?
    ) throws(SpawnError) -> Subprocess {
        try Subprocess(
            arguments, input: input == nil ? .null : .pipe, output: .pipe, error: mergeErrors ? .standardOutput : .pipe,
            environment: environment, ownProcessGroup: true)
    }

    /// Feeds `input`, collects the output until the child ends or `timeout` passes (then stops it), reaps it.
    private func complete(input: [UInt8]?, timeout: Duration?, limit: Int) -> Completion {
        let read = communicate(input: input ?? [], until: timeout.map { ContinuousClock.now + $0 }, limit: limit)
        let exit = read.timedOut ? stop() : waitForExit()
        return Completion(exit: exit, output: read.output, errors: read.errors, timedOut: read.timedOut)
    }

    /// `stop()` on a thread of its own (it waits up to its grace period), for a cancellation handler.
    private static func stopInBackground(_ child: Subprocess) {
        let thread = Thread { child.stop() }
        thread.name = "capstan.subprocess-stop"
        thread.start()
    }
}

/// The child of a `runDetached` call as its cancellation handler sees it: started (or not yet), cancelled (or not).
private final class RunningChild: Sendable {
    private let state = Mutex<(child: Subprocess?, cancelled: Bool)>((nil, false))

    /// Records the started child; true when the task was cancelled before it started (stop it now).
    func started(_ child: Subprocess) -> Bool {
        state.withLock { state in
            state.child = child
            return state.cancelled
        }
    }

    /// Records the cancellation; the child when it has already started.
    func cancel() -> Subprocess? {
        state.withLock { state in
            state.cancelled = true
            return state.child
        }
    }
}
