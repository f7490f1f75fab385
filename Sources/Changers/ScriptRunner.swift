import Subprocesses

/// Runs one changer program to completion with a time limit (`Subprocess`: posix_spawn, output read with poll(2) on a
/// thread of its own, never on the concurrency pool nor on libdispatch's small pool of worker threads).
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

    /// Runs `arguments` (standard input /dev/null); a program still running after `timeoutSeconds` is stopped (SIGTERM,
    /// SIGKILL 2 s later). Once the program has exited, what its pipes hold is read without waiting for end of file,
    /// which never comes while a process it left behind still holds a write end. Throws `SpawnError` when the program
    /// cannot be started (after retrying a busy one, `Subprocess.init`).
    static func run(_ arguments: [String], timeoutSeconds: Int) async throws -> Outcome {
        // A move is finished, not interrupted, when its job is cancelled: the library's state must stay known.
        let completion = try await Subprocess.runDetached(
            arguments, timeout: .seconds(timeoutSeconds), limit: maximumOutput, threadName: "capstan.changer-command",
            stopWhenCancelled: false)
        return Outcome(
            status: completion.exit.status, signalled: completion.exit.signalled, timedOut: completion.timedOut,
            output: completion.outputText, errors: completion.errorText)
    }
}
