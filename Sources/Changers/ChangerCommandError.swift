/// A `Changer Command` invocation that failed, naming the command line it ran.
public struct ChangerCommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The script exited with a non-zero status.
        case exited(Int32)
        /// The script was killed by a signal.
        case signalled(Int32)
        /// It ran longer than Maximum Changer Wait and was terminated.
        case timedOut(seconds: Int)
        /// It could not be started (missing, not executable).
        case couldNotStart(String)
        /// It succeeded, but its output is not in the expected format.
        case badOutput(ChangerScriptOutput.FormatError)
        /// The request does not fit the library the script describes (no such slot, drive not configured ...).
        case request(String)
    }

    public var commandLine: String
    public var reason: Reason
    /// What the script printed on standard output, trimmed.
    public var output: String
    /// What it printed on standard error, trimmed.
    public var errors: String

    public init(commandLine: String, reason: Reason, output: String = "", errors: String = "") {
        self.commandLine = commandLine
        self.reason = reason
        self.output = output
        self.errors = errors
    }

    public var description: String {
        let what: String =
            switch reason {
            case .exited(let code): "exited with status \(code)"
            case .signalled(let signal): "was killed by signal \(signal)"
            case .timedOut(let seconds): "did not finish within \(seconds) s (Maximum Changer Wait) and was stopped"
            case .couldNotStart(let why): "could not be started: \(why)"
            case .badOutput(let e): "printed something unexpected: \(e)"
            case .request(let why): "was not run: \(why)"
            }
        var text = "changer command \"\(commandLine)\" \(what)"
        let said = [errors, output].filter { !$0.isEmpty }.joined(separator: " / ")
        if !said.isEmpty { text += ": \(said)" }
        return text
    }
}
