/// A job the SD accepted from a Director, as both session machines need to see it.
public struct StorageJob: Hashable, Sendable {
    /// Where the job stands, as far as an FD connection cares.
    public enum Phase: Hashable, Sendable {
        /// Accepted (`3000 OK Job`), not yet run: an FD may already connect.
        case created
        /// `run` received: waiting for the FD.
        case running
        /// An FD authenticated for this job; no second one is accepted.
        case fileDaemonAttached
        /// Finished (3099 sent) or canceled; its key no longer opens anything.
        case ended
    }

    public var command: JobStartCommand
    /// VolSessionId: the SD's per-start-up counter, also the FD session ticket.
    public var sessionID: UInt32
    /// VolSessionTime: the SD's start-up time.
    public var sessionTime: UInt32
    /// The key the FD must authenticate with (issued in `3000 OK Job ... Authorization=`; no spaces).
    public var authorization: String
    public var phase: Phase

    public init(
        command: JobStartCommand, sessionID: UInt32, sessionTime: UInt32, authorization: String,
        phase: Phase = .created
    ) {
        self.command = command
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.authorization = authorization
        self.phase = phase
    }

    /// The unique job name the FD presents.
    public var name: String { command.job }
    public var jobID: UInt32 { command.jobID }
    /// True for jobs whose FD session appends (backup); false for reading ones (restore, verify...).
    public var appends: Bool { command.type.appends }
}

/// The SD's jobs by unique name: a value the I/O layer owns and hands to the session machines with each event.
public struct StorageJobTable: Hashable, Sendable {
    public private(set) var jobs: [String: StorageJob] = [:]

    public init(_ jobs: [StorageJob] = []) {
        for job in jobs { self.jobs[job.name] = job }
    }

    public subscript(name: String) -> StorageJob? { jobs[name] }

    public mutating func insert(_ job: StorageJob) { jobs[job.name] = job }

    public mutating func setPhase(_ phase: StorageJob.Phase, of name: String) { jobs[name]?.phase = phase }
}
