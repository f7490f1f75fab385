import Catalog
import FileDaemonProtocol

/// What a restore restores and where: chosen by the console's `restore` command, carried out by `RestoreRunner`.
public struct RestorePlan: Sendable {
    public var jobIDs: [Int64]
    /// FileIndexes to restore per JobId; nil restores every file of the jobs.
    public var selected: [Int64: [Int64]]?
    public var fileCount: Int
    public var totalBytes: Int64 = 0
    public var backupClient: String
    public var restoreClient: String
    public var fileSet: String?
    public var where_: String?
    public var regexWhere: String?
    public var replace: String
    public var restoreJob: String
    public var storage: String?
    public var bootstrapPath: String?

    public init(jobIDs: [Int64], backupClient: String, restoreJob: String) {
        self.jobIDs = jobIDs
        self.selected = nil
        self.fileCount = 0
        self.backupClient = backupClient
        self.restoreClient = backupClient
        self.replace = "Always"
        self.restoreJob = restoreJob
    }

    /// Bacula's RegexWhere for Strip Prefix / Add Prefix / Add Suffix (`!^strip!!`, `!^!add!`, `!([^/])$!$1sfx!`).
    public static func regexWhere(stripPrefix: String?, addPrefix: String?, addSuffix: String?) -> String? {
        var parts: [String] = []
        if let strip = stripPrefix, !strip.isEmpty { parts.append("!^\(strip)!!") }
        if let add = addPrefix, !add.isEmpty { parts.append("!^!\(add)!") }
        if let suffix = addSuffix, !suffix.isEmpty { parts.append("!([^/])$!$1\(suffix)!") }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// The replace policy the FD is sent (its one-letter code): `Replace` of the Job or the restore command.
    public var replacePolicy: ReplacePolicy {
        switch replace.lowercased() {
        case "ifnewer": return .ifNewer
        case "ifolder": return .ifOlder
        case "never": return .never
        default: return .always
        }
    }
}
