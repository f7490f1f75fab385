/// A job to run: the Job resource and what the console (`run … level= client= …`) or a Schedule overrides.
public struct JobRequest: Sendable, Equatable {
    public var jobName: String
    public var level: String?
    public var client: String?
    public var storage: String?
    public var pool: String?
    public var fileSet: String?
    public var priority: Int?
    public var spoolData: Bool?
    /// Unix seconds to start at (nil: now).
    public var when: Int64?
    /// How many times Reschedule On Error already re-queued this job.
    public var rescheduled = 0

    public init(jobName: String) { self.jobName = jobName }

    /// The one-letter level for a level word (`Full`, `incremental`, `D`…); nil for words Bacula does not accept.
    public static func levelLetter(_ word: String) -> String? {
        switch word.lowercased() {
        case "full", "f": return "F"
        case "incremental", "i": return "I"
        case "differential", "d": return "D"
        case "base", "b": return "B"
        case "virtualfull": return "f"
        default: return nil
        }
    }
}
