import Foundation

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
    /// written), stopped when `timeout` passes. Blocks the calling thread: call it from a thread of its own
    /// (`runDetached`), never from the concurrency pool. Throws only when the program cannot be started.
    public static func run(
        _ arguments: [String], input: [UInt8]? = nil, timeout: Duration? = nil, limit: Int = .max,
        mergeErrors: Bool = false, environment: [String: String]? = nil
    ) throws(SpawnError) -> Completion {
        let child = try Subprocess(
            arguments, input: input == nil ? .null : .pipe, output: .pipe, error: mergeErrors ? .standardOutput : .pipe,
            environment: environment)
        let read = child.communicate(input: input ?? [], until: timeout.map { ContinuousClock.now + $0 }, limit: limit)
        let exit = read.timedOut ? child.stop() : child.waitForExit()
        return Completion(exit: exit, output: read.output, errors: read.errors, timedOut: read.timedOut)
    }

    /// `run` on a thread of its own (not the concurrency pool, not libdispatch's workers), awaited.
    public static func runDetached(
        _ arguments: [String], input: [UInt8]? = nil, timeout: Duration? = nil, limit: Int = .max,
        mergeErrors: Bool = false, environment: [String: String]? = nil, threadName: String = "capstan.subprocess"
    ) async throws(SpawnError) -> Completion {
        let result: Result<Completion, SpawnError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(SpawnError) -> Completion in
                    try run(arguments, input: input, timeout: timeout, limit: limit, mergeErrors: mergeErrors, environment: environment)
                })
            }
            thread.name = threadName
            thread.start()
        }
        return try result.get()
    }
}
