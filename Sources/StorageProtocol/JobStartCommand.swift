import BaculaWire

/// Director → SD: the job start command, all 19 fields of 9.6 in their order (spec §3.3.1) [WIRE: backup and
/// restore lines of the capture parse and print back byte-for-byte].
///
/// `JobId=%d job=%s job_name=%s client_name=%s type=%d level=%d FileSet=%s NoAttr=%d SpoolAttr=%d FileSetMD5=%s
/// SpoolData=%d WritePartAfterJob=%d PreferMountedVols=%d SpoolSize=%s rerunning=%d VolSessionId=%d
/// VolSessionTime=%d sd_client=%d Authorization=%s\n`. Names are kept unbashed here and bashed when printed.
public struct JobStartCommand: Hashable, Sendable {
    public var jobID: UInt32
    /// The unique job name (`<JobName>.<YYYY-MM-DD_HH.MM.SS>_<seq>`); the FD presents it in its hello.
    public var job: String
    public var jobName: String
    public var clientName: String
    public var type: JobType
    public var level: JobLevel
    public var fileSet: String
    /// The pool does not catalog files: the SD must not send attributes.
    public var noAttributes: Bool
    public var spoolAttributes: Bool
    public var fileSetMD5: String
    public var spoolData: Bool
    public var writePartAfterJob: Bool
    public var preferMountedVolumes: Bool
    public var spoolSize: UInt64
    public var rerunning: Bool
    /// Non-zero only when resuming an incomplete job.
    public var volumeSessionID: UInt32
    public var volumeSessionTime: UInt32
    /// 1 only for SD-to-SD copies.
    public var storageDaemonClient: Bool
    /// `dummy` from a 9.6 Director.
    public var authorization: String

    public init(
        jobID: UInt32, job: String, jobName: String, clientName: String, type: JobType, level: JobLevel,
        fileSet: String, noAttributes: Bool = false, spoolAttributes: Bool = true, fileSetMD5: String,
        spoolData: Bool = false, writePartAfterJob: Bool = true, preferMountedVolumes: Bool = true,
        spoolSize: UInt64 = 0, rerunning: Bool = false, volumeSessionID: UInt32 = 0, volumeSessionTime: UInt32 = 0,
        storageDaemonClient: Bool = false, authorization: String = "dummy"
    ) {
        self.jobID = jobID
        self.job = job
        self.jobName = jobName
        self.clientName = clientName
        self.type = type
        self.level = level
        self.fileSet = fileSet
        self.noAttributes = noAttributes
        self.spoolAttributes = spoolAttributes
        self.fileSetMD5 = fileSetMD5
        self.spoolData = spoolData
        self.writePartAfterJob = writePartAfterJob
        self.preferMountedVolumes = preferMountedVolumes
        self.spoolSize = spoolSize
        self.rerunning = rerunning
        self.volumeSessionID = volumeSessionID
        self.volumeSessionTime = volumeSessionTime
        self.storageDaemonClient = storageDaemonClient
        self.authorization = authorization
    }

    static let kind = "JobId command"
    static let format =
        "JobId=%d job=%127s job_name=%127s client_name=%127s type=%d level=%d FileSet=%127s NoAttr=%d SpoolAttr=%d "
        + "FileSetMD5=%127s SpoolData=%d WritePartAfterJob=%d PreferMountedVols=%d SpoolSize=%d rerunning=%d "
        + "VolSessionId=%d VolSessionTime=%d sd_client=%d Authorization=%100s"

    /// Parses leniently like the SD's scanner: every literal must match, empty numbers read as 0.
    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var fields = try ScannedFields(bytes, format: Self.format, kind: Self.kind)
        jobID = try fields.integer()
        job = try fields.name()
        jobName = try fields.name()
        clientName = try fields.name()
        type = JobType(rawValue: try fields.integer())
        level = JobLevel(rawValue: try fields.integer())
        fileSet = try fields.name()
        noAttributes = try fields.flag()
        spoolAttributes = try fields.flag()
        fileSetMD5 = BashedName.unbash(try fields.raw())
        spoolData = try fields.flag()
        writePartAfterJob = try fields.flag()
        preferMountedVolumes = try fields.flag()
        spoolSize = try fields.integer()
        rerunning = try fields.flag()
        volumeSessionID = try fields.integer()
        volumeSessionTime = try fields.integer()
        storageDaemonClient = try fields.flag()
        authorization = try fields.raw()
    }

    /// The line as a 9.6 Director sends it.
    public var bytes: [UInt8] {
        func b(_ flag: Bool) -> Int { flag ? 1 : 0 }
        let bash = BashedName.bash
        return Line.bytes(
            "JobId=\(jobID) job=\(bash(job)) job_name=\(bash(jobName)) client_name=\(bash(clientName)) "
                + "type=\(type.rawValue) level=\(level.rawValue) FileSet=\(bash(fileSet)) NoAttr=\(b(noAttributes)) "
                + "SpoolAttr=\(b(spoolAttributes)) FileSetMD5=\(bash(fileSetMD5)) SpoolData=\(b(spoolData)) "
                + "WritePartAfterJob=\(b(writePartAfterJob)) PreferMountedVols=\(b(preferMountedVolumes)) "
                + "SpoolSize=\(spoolSize) rerunning=\(b(rerunning)) VolSessionId=\(volumeSessionID) "
                + "VolSessionTime=\(volumeSessionTime) sd_client=\(b(storageDaemonClient)) "
                + "Authorization=\(authorization)\n")
    }

    /// A VirtualFull (type 66 'B', level 102 'f'): the SD reads and writes in one job, without an FD.
    public var isVirtualFull: Bool { type == .backup && level == .virtualFull }
}

