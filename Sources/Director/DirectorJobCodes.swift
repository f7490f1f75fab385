import CapstanConfig
import Catalog

/// The `%` codes of the commands and paths the Director fills in for a job — a Messages resource's Mail Command and
/// Operator Command, a Job's Write Bootstrap — replaced as Bacula 9.6's Director replaces them: `%%`, `%b` (job bytes), `%F` (job files), `%P` (the Director's PID),
/// `%c` (client), `%d` (Director), `%e` (exit status: `OK`, `Error`, `Fatal Error`, `Canceled`…), `%i` (JobId), `%j`
/// (unique Job name), `%l` (level: `Full`, `Incremental`…), `%n` (Job name), `%r` (recipients), `%t` (type:
/// `Backup`, `Restore`…), `%v` (volume names). Job codes without a job (the Director's own messages) are `*None*`;
/// other codes stay as they are (`%s`, the since time, among them: the catalog does not keep it).
struct DirectorJobCodes: Sendable, Equatable {
    var directorName: String
    /// 0 for the Director's own messages.
    var jobID: Int64 = 0
    /// The job's catalog row; nil for the Director's own messages (or a job the catalog does not know).
    var job: JobRow?
    /// The job's status letter when it differs from the row's (the end status passed with the job's mail).
    var status: String?
    var volumeNames: [String] = []
    var processID: Int32 = 0

    /// `command` with every code above replaced; `recipients` for `%r`.
    func expand(_ command: String, recipients: String) -> String {
        PercentCodes.expand(command) { value($0, recipients: recipients) }
    }

    /// One code's text, or nil for a code that stays as written.
    func value(_ code: Character, recipients: String) -> String? {
        switch code {
        case "%": return "%"
        case "r": return recipients
        case "d": return directorName
        case "P": return String(processID)
        case "i": return jobID > 0 ? String(jobID) : "*None*"
        case "b", "F", "c", "e", "j", "l", "n", "t", "v":
            guard let job else { return "*None*" }
            switch code {
            case "b": return String(job.bytes)
            case "F": return String(job.files)
            case "c": return job.clientName
            case "e": return Self.exitText(status ?? job.status)
            case "j": return job.job
            case "l": return Self.levelText(job.level)
            case "n": return job.name
            case "t": return Self.typeText(job.type)
            default: return volumeNames.isEmpty ? "*None*" : volumeNames.joined(separator: "|")
            }
        default: return nil
        }
    }

    /// `%e`: a job's status letter as Bacula names its exit in a mail.
    static func exitText(_ status: String) -> String {
        switch status {
        case "T": return "OK"
        case "W": return "OK -- with warnings"
        case "E", "e": return "Error"
        case "f": return "Fatal Error"
        case "A": return "Canceled"
        case "D": return "Differences"
        default: return "Unknown term code"
        }
    }

    /// `%t`: a job type letter.
    static func typeText(_ type: String) -> String {
        switch type {
        case "B": return "Backup"
        case "M": return "Migrated Job"
        case "V": return "Verify"
        case "R": return "Restore"
        case "U": return "Console"
        case "I": return "System or Console"
        case "D": return "Admin"
        case "A": return "Archive"
        case "C": return "Job Copy"
        case "c": return "Copy"
        case "g": return "Migrate"
        case "S": return "Scan"
        default: return "Unknown Type"
        }
    }

    /// `%l`: a job level letter (a space for jobs without a level, as Bacula writes it).
    static func levelText(_ level: String) -> String {
        switch level {
        case "B": return "Base"
        case "F": return "Full"
        case "I": return "Incremental"
        case "D": return "Differential"
        case "S": return "Since"
        case "C": return "Verify Catalog"
        case "V": return "Verify Init Catalog"
        case "O": return "Verify Volume to Catalog"
        case "d": return "Verify Disk to Catalog"
        case "A": return "Verify Data"
        case "f": return "Virtual Full"
        case " ", "": return " "
        default: return "Unknown Job Level"
        }
    }
}
