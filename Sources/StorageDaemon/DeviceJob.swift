import BaculaVolume

/// A job's session on a device: the (VolSessionId, VolSessionTime) pair that every block of the job carries, and the
/// session label the SOS was made from (the EOS is made from it too, with totals).
public struct DeviceJob: Sendable {
    public var sessionID: UInt32
    public var sessionTime: UInt32
    /// The SOS label contents (JobId, unique job name, pool, client ...). `totals` is ignored.
    public var label: SessionLabel
    /// The job's own spool bound in bytes (the Director's `Spool Size`, sent as `SpoolSize=`), which replaces the
    /// device's Maximum Job Spool Size as bacula-sd does; 0 for the device's.
    public var spoolSize: UInt64

    public init(sessionID: UInt32, sessionTime: UInt32, label: SessionLabel, spoolSize: UInt64 = 0) {
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.label = label
        self.spoolSize = spoolSize
    }

    public var session: SessionKey { SessionKey(id: sessionID, time: sessionTime) }
    /// The unique job name (`Name.2026-11-26_15.26.53_04`), used in file names and error messages.
    public var name: String { label.job }
    public var jobID: UInt32 { label.jobID }
}

/// The pair that identifies a job's blocks on a volume.
public struct SessionKey: Hashable, Sendable, CustomStringConvertible {
    public var id: UInt32
    public var time: UInt32

    public init(id: UInt32, time: UInt32) {
        self.id = id
        self.time = time
    }

    public var description: String { "session \(id)/\(time)" }
}

/// What the EOS label reports about a finished job.
public struct JobTotals: Sendable, Equatable {
    /// Last FileIndex of the job.
    public var files: UInt32
    /// Sum of the data sizes of the job's file records ("SD Bytes Written").
    public var bytes: UInt64
    /// Job status letter (`T` OK, `E` error, `A` canceled ...).
    public var status: Character
    public var errors: UInt32

    public init(files: UInt32, bytes: UInt64, status: Character = "T", errors: UInt32 = 0) {
        self.files = files
        self.bytes = bytes
        self.status = status
        self.errors = errors
    }
}
