import Catalog
import Foundation
import Subprocesses

/// Runs a job's Director scripts as bacula-dir does — no shell, the command line split by `ProgramArguments`;
/// standard input /dev/null, output and errors as one text, at most 64 KiB kept — one after the other, and logs
/// them as bacula-dir does: `shell command: run BeforeJob "…"`,
/// each line of output as `BeforeJob: …`, a failure as `Runscript: BeforeJob returned non-zero status=N. ERR=…`.
/// Console commands are not run: the job log says so.
struct JobScriptRunner {
    /// `director-name JobId N: `, the start of every line.
    let prefix: String
    let codes: DirectorJobCodes
    /// Sends one line to the job's messages (text, message type).
    let say: @Sendable (String, String) -> Void

    /// Runs `scripts` in order under `label` (`BeforeJob`, `AfterJob`). Returns false when a script that fails its
    /// job failed (those after it do not run); a failure of any other script is logged and the rest run.
    func run(_ scripts: [JobScript], label: String) async -> Bool {
        for script in scripts {
            let command = codes.expand(script.command, recipients: "")
            if script.isConsoleCommand {
                say("\(prefix)Warning: \(label): console command \"\(command)\" not run: capstan-dir runs shell commands only.\n", "warning")
                continue
            }
            say("\(prefix)shell command: run \(label) \"\(command)\"\n", "info")
            let failure: String?
            do {
                let completion = try await Subprocess.runDetached(
                    try ProgramArguments.argv(command), limit: 65_536, mergeErrors: true, threadName: "capstan.job-runscript")
                var lines = completion.outputText.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.last == "" { lines.removeLast() }
                for line in lines { say("\(prefix)\(label): \(line)\n", "info") }
                failure = completion.exit.shellStatus == 0
                    ? nil : "Runscript: \(label) returned non-zero status=\(completion.exit.shellStatus). ERR=\(completion.exit)"
            } catch {
                failure = "Runscript: \(label) could not execute. ERR=\(error)"
            }
            if let failure {
                say("\(prefix)\(failure)\n", "error")
                if script.failJobOnError { return false }
            }
        }
        return true
    }
}

extension JobScriptRunner {
    /// The runner of one job's Director scripts: `%` codes from `row` (with `client` and `jobName` when the row has
    /// none yet) and `status` (`%e`), lines to the job's Messages resource `messages`.
    init(runtime: DirectorRuntime, row: JobRow, client: String, jobName: String, messages: String, status: String?) {
        var job = row
        if job.clientName.isEmpty { job.clientName = client }
        if job.name.isEmpty { job.name = jobName }
        let director = runtime.configuration.director.name
        let jobID = row.jobID
        self.init(
            prefix: "\(director) JobId \(jobID): ",
            codes: DirectorJobCodes(directorName: director, jobID: jobID, job: job, status: status, processID: getpid()),
            say: { text, type in runtime.say(text, type: type, jobID: jobID, messages: messages) })
    }
}

/// A Director script that fails its job failed (the runner has logged why): the job ends `E`.
struct ScriptFailure: Error {}
