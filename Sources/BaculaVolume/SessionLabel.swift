/// A start-of-session (SOS) or end-of-session (EOS) label record (spec §6).
public struct SessionLabel: Equatable, Sendable {
    /// Totals only an EOS label carries.
    public struct Totals: Equatable, Sendable {
        public var jobFiles: UInt32
        public var jobBytes: UInt64
        public var startBlock: UInt32
        public var endBlock: UInt32
        public var startFile: UInt32
        public var endFile: UInt32
        public var jobErrors: UInt32
        /// ASCII code of the status letter (`T` = 84).
        public var jobStatus: UInt32

        public init(
            jobFiles: UInt32, jobBytes: UInt64, start: VolumeAddress, end: VolumeAddress, jobErrors: UInt32 = 0,
            jobStatus: Character = "T"
        ) {
            self.jobFiles = jobFiles
            self.jobBytes = jobBytes
            startBlock = start.block
            endBlock = end.block
            startFile = start.file
            endFile = end.file
            self.jobErrors = jobErrors
            self.jobStatus = UInt32(jobStatus.asciiValue ?? 0)
        }
    }

    public var id: String = VolumeFormat.labelID
    public var version: UInt32 = VolumeFormat.labelVersion
    public var jobID: UInt32
    /// Microseconds since the epoch.
    public var writeTime: Int64
    public var writeTimeOfDay: Double = 0
    public var poolName: String
    public var poolType: String = "Backup"
    public var jobName: String
    public var clientName: String
    /// The unique job name (`Name.2026-11-26_15.26.53_04`).
    public var job: String
    public var fileSetName: String
    /// ASCII code of the job type letter (`B` = 66).
    public var jobType: UInt32
    /// ASCII code of the level letter (`F` = 70).
    public var jobLevel: UInt32
    public var fileSetMD5: String = ""
    /// Present in EOS labels only.
    public var totals: Totals?

    public init(
        jobID: UInt32, writeTime: Int64, poolName: String, jobName: String, clientName: String, job: String,
        fileSetName: String, jobType: Character = "B", jobLevel: Character = "F", totals: Totals? = nil
    ) {
        self.jobID = jobID
        self.writeTime = writeTime
        self.poolName = poolName
        self.jobName = jobName
        self.clientName = clientName
        self.job = job
        self.fileSetName = fileSetName
        self.jobType = UInt32(jobType.asciiValue ?? 0)
        self.jobLevel = UInt32(jobLevel.asciiValue ?? 0)
        self.totals = totals
    }

    /// Decodes an SOS (`isEnd` false) or EOS payload.
    public init(decoding bytes: [UInt8], isEnd: Bool) throws(VolumeError) {
        let what = isEnd ? "EOS label" : "SOS label"
        var r = FieldReader(bytes, what: what)
        id = try r.string("Id")
        version = try r.u32("VerNum")
        jobID = try r.u32("JobId")
        writeTime = try r.i64("write time")
        writeTimeOfDay = try r.float64("write_time")
        poolName = try r.string("PoolName")
        poolType = try r.string("PoolType")
        jobName = try r.string("JobName")
        clientName = try r.string("ClientName")
        job = try r.string("Job")
        fileSetName = try r.string("FileSetName")
        jobType = try r.u32("JobType")
        jobLevel = try r.u32("JobLevel")
        if version >= 11 { fileSetMD5 = try r.string("FileSetMD5") }
        if isEnd {
            let files = try r.u32("JobFiles")
            let bytes = try r.u64("JobBytes")
            let startBlock = try r.u32("StartBlock")
            let endBlock = try r.u32("EndBlock")
            let startFile = try r.u32("StartFile")
            let endFile = try r.u32("EndFile")
            let errors = try r.u32("JobErrors")
            let status = try r.u32("JobStatus")
            var t = Totals(jobFiles: files, jobBytes: bytes, start: .offset(0), end: .offset(0), jobErrors: errors)
            t.startBlock = startBlock
            t.endBlock = endBlock
            t.startFile = startFile
            t.endFile = endFile
            t.jobStatus = status
            totals = t
        }
    }

    /// The serialized payload (EOS fields appended when `totals` is set).
    public func encoded() -> [UInt8] {
        var w = FieldWriter()
        w.string(id)
        w.u32(version)
        w.u32(jobID)
        w.i64(writeTime)
        w.float64(writeTimeOfDay)
        for s in [poolName, poolType, jobName, clientName, job, fileSetName] { w.string(s) }
        w.u32(jobType)
        w.u32(jobLevel)
        w.string(fileSetMD5)
        if let t = totals {
            w.u32(t.jobFiles)
            w.u64(t.jobBytes)
            w.u32(t.startBlock)
            w.u32(t.endBlock)
            w.u32(t.startFile)
            w.u32(t.endFile)
            w.u32(t.jobErrors)
            w.u32(t.jobStatus)
        }
        return w.bytes
    }

    /// The job type letter.
    public var jobTypeLetter: Character { Character(Unicode.Scalar(UInt8(truncatingIfNeeded: jobType))) }
    /// The job level letter.
    public var jobLevelLetter: Character { Character(Unicode.Scalar(UInt8(truncatingIfNeeded: jobLevel))) }
}
