import BaculaWire
import CapstanConfig
import FileDaemonProtocol

/// One command a job runs beside its work, as Bacula's `RunScript { … }` and its shorthand directives define it:
/// on the Director or on the client, before the job or after it (on success, on failure), failing the job or not.
public struct JobScript: Sendable, Equatable {
    public enum When: String, Sendable, CaseIterable {
        case before = "Before", after = "After", always = "Always", afterVSS = "AfterVSS", never = "Never"
    }

    public var command: String
    /// A `Console = …` command (bconsole commands); capstan-dir does not run these and says so in the job log.
    public var isConsoleCommand = false
    public var runsOnClient: Bool
    public var when: When
    public var runsOnSuccess = true
    public var runsOnFailure = false
    public var failJobOnError = true
    /// `Client Run Before Job` / `Client Run After Job`: bacula-dir sends these in the old protocol
    /// (`RunBeforeJob cmd`, which the FD runs at once; `RunAfterJob cmd`), RunScript blocks as `Run … When=N`.
    public var oldProtocol = false

    /// Whether it runs before the job (`Before`, `Always`).
    public var runsBefore: Bool { when == .before || when == .always }

    /// Whether it runs after a job that ended `succeeded` (`After`, `Always`; `AfterVSS` is the client's own).
    public func runsAfter(succeeded: Bool) -> Bool {
        (when == .after || when == .always) && (succeeded ? runsOnSuccess : runsOnFailure)
    }

    /// The FD's `When` bits (Bacula's `SCRIPT_*`): 1 after, 2 before, 3 both, 4 after VSS.
    public var whenBits: Int {
        switch when {
        case .before: return 2
        case .after: return 1
        case .always: return 3
        case .afterVSS: return 4
        case .never: return 0
        }
    }

    /// What bacula-dir sends a File daemon for this client script, and the answer it wants: `RunBeforeJob cmd` (`2000
    /// OK RunBefore`, the FD has run it) or `RunAfterJob cmd` (`2000 OK RunAfter`) in the old protocol, else
    /// `Run OnSuccess=%u OnFailure=%u AbortOnError=%u When=%u Command=%s` (`2000 OK RunScript`). The command goes
    /// as written, bashed: the File daemon replaces its `%` codes.
    public var fileDaemonCommand: (request: DirectorRequest, reply: String) {
        if oldProtocol {
            return runsBefore ? (.runBeforeJob(command), "2000 OK RunBefore\n") : (.runAfterJob(command), "2000 OK RunAfter\n")
        }
        let script = RunScript(
            onSuccess: runsOnSuccess, onFailure: runsOnFailure, abortOnError: failJobOnError, when: whenBits, command: command)
        return (.runScript(script), "2000 OK RunScript\n")
    }

    /// The scripts a Job (or JobDefs) resource writes, in Bacula's meaning of each directive:
    /// `Run Before Job` (Director, before, fails the job), `Run After Job` (Director, after success),
    /// `Run After Failed Job` (Director, after failure), `Client Run Before Job` / `Client Run After Job` (the same on
    /// the client), `Console Run Before Job` / `Console Run After Job` (console commands), and every `RunScript`
    /// block, one script per `Command` or `Console` line.
    public static func scripts(in resource: some DirectiveContainer) -> [JobScript] {
        func strings(_ name: String, in container: some DirectiveContainer) -> [String] {
            container.values(name).compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        }
        func strings(_ name: String) -> [String] { strings(name, in: resource) }
        var scripts: [JobScript] = []
        for command in strings("Run Before Job") {
            scripts.append(JobScript(command: command, runsOnClient: false, when: .before))
        }
        for command in strings("Run After Job") {
            scripts.append(JobScript(command: command, runsOnClient: false, when: .after, failJobOnError: false))
        }
        for command in strings("Run After Failed Job") {
            scripts.append(
                JobScript(command: command, runsOnClient: false, when: .after, runsOnSuccess: false, runsOnFailure: true, failJobOnError: false))
        }
        for command in strings("Client Run Before Job") {
            scripts.append(JobScript(command: command, runsOnClient: true, when: .before, oldProtocol: true))
        }
        for command in strings("Client Run After Job") {
            scripts.append(JobScript(command: command, runsOnClient: true, when: .after, failJobOnError: false, oldProtocol: true))
        }
        for command in strings("Console Run Before Job") {
            scripts.append(JobScript(command: command, isConsoleCommand: true, runsOnClient: false, when: .before))
        }
        for command in strings("Console Run After Job") {
            scripts.append(JobScript(command: command, isConsoleCommand: true, runsOnClient: false, when: .after, failJobOnError: false))
        }
        for block in resource.blocks("RunScript") {
            let runsOnClient = block.string("Runs On Client").map { !["no", "false", "0"].contains($0.lowercased()) } ?? true
            var base = JobScript(
                command: "", runsOnClient: runsOnClient,
                when: block.string("Runs When").flatMap { word in When.allCases.first { $0.rawValue.lowercased() == word.lowercased() } } ?? .never,
                runsOnSuccess: block.bool("Runs On Success") ?? true, runsOnFailure: block.bool("Runs On Failure") ?? false,
                failJobOnError: block.bool("Fail Job On Error") ?? true)
            for command in strings("Command", in: block) {
                base.command = command
                scripts.append(base)
            }
            for command in strings("Console", in: block) {
                var console = base
                console.command = command
                console.isConsoleCommand = true
                console.runsOnClient = false
                scripts.append(console)
            }
        }
        return scripts
    }
}
