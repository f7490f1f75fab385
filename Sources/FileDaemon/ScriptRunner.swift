import FileDaemonProtocol
import Foundation
import Subprocesses

/// Runs the Director's client scripts (ClientRunBeforeJob/AfterJob, RunScript) as bacula-fd does — no shell, the
/// command line split by `ProgramArguments` — off the cooperative threads, with their `%` codes replaced as
/// bacula-fd replaces them (`JobCodes`: the Director sends
/// them as written); returns each failure as a line for the job log.
enum ScriptRunner {
    /// Runs `scripts` in order; a failing script with AbortOnError stops the rest. Returns (success, messages).
    static func run(
        _ scripts: [RunScript], job: JobIdentity, clientName: String, jobOK: Bool? = nil
    ) async -> (ok: Bool, messages: [String]) {
        var messages: [String] = []
        for script in scripts {
            if let jobOK, !(jobOK ? script.onSuccess : script.onFailure) { continue }
            let (status, output) = await execute(JobCodes.expand(script.command, job: job, clientName: clientName))
            messages.append(contentsOf: output.split(separator: "\n").map { "ClientRunScript: \($0)" })
            if status != 0 {
                messages.append("Runscript: ClientRunScript returned non-zero status=\(status). ERR=\(script.command)")
                if script.abortOnError { return (false, messages) }
            }
        }
        return (true, messages)
    }

    /// The command (`ProgramArguments`), standard input /dev/null, output and error as one text; 127 with the reason
    /// when the program cannot be started.
    private static func execute(_ command: String) async -> (Int32, String) {
        do {
            let completion = try await Subprocess.runDetached(
                try ProgramArguments.argv(command), mergeErrors: true, threadName: "capstan.client-runscript")
            return (completion.exit.shellStatus, completion.outputText)
        } catch {
            return (127, "\(error)")
        }
    }
}
