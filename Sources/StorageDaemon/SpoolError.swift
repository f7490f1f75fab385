import TapeDevices

/// A spooling failure: says which job, which spool file, what went wrong and what to do.
public struct SpoolError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The spool file could not be created (missing or unwritable Spool Directory).
        case cannotCreate
        /// Writing a block failed even after despooling everything and retrying (full disk, I/O error). Every
        /// record acknowledged before the failing call was handed to the drive.
        case writeFailed
        /// A spooled block could not be read back; the job's remaining spooled data is lost.
        case readFailed
        /// One record needs more blocks than the job's spool can hold.
        case recordTooLarge
        /// The spool limits cannot work (fewer than two blocks per job).
        case configuration
        /// The job was used after it failed or was committed.
        case jobClosed
    }

    public var kind: Kind
    /// The unique job name.
    public var job: String
    /// The spool file (or directory) concerned.
    public var path: String
    public var underlying: SystemError?
    public var detail: String

    public init(_ kind: Kind, job: String, path: String, underlying: SystemError? = nil, detail: String = "") {
        self.kind = kind
        self.job = job
        self.path = path
        self.underlying = underlying
        self.detail = detail
    }

    public var description: String {
        let cause = underlying.map { ": \($0)" } ?? ""
        let what: String =
            switch kind {
            case .cannotCreate: "cannot create the spool file; check that the Spool Directory exists and is writable"
            case .writeFailed: "cannot write to the spool file even after despooling; check free space on the spool disk"
            case .readFailed: "cannot read back spooled data"
            case .recordTooLarge: "a record is larger than the job's spool can hold; raise Maximum Job Spool Size"
            case .configuration: "the spool limits are too small"
            case .jobClosed: "the job's spool is already closed"
            }
        return "job \(job), spool \(path): \(what)\(detail.isEmpty ? "" : " (\(detail))")\(cause)"
    }
}
