import BaculaVolume

/// The Device's spooling directives, plus the despool policy.
public struct SpoolConfiguration: Sendable {
    /// Spool Directory.
    public var directory: String
    /// The SD's Name and the Device's Name (they are part of the spool file name, spec §9).
    public var storageName: String
    public var deviceName: String
    /// Maximum Spool Size: all jobs of the device together, bytes.
    public var maximumSpoolSize: Int64
    /// Maximum Job Spool Size: one job, bytes.
    public var maximumJobSpoolSize: Int64
    /// Maximum Block Size of the blocks spooled.
    public var blockSize: Int
    /// A job's spooled data starts streaming to the drive when this many blocks are waiting (or the job ends, or a
    /// producer waits for space). nil: half the job's spool.
    public var despoolStartBlocks: Int?
    /// Blocks one job may send in a row while another job has data waiting (the despool turn).
    public var turnBlocks: Int
    /// Spool memory: blocks of all jobs together that may wait in memory instead of the spool file (Capstan's
    /// `Spool Memory Size` divided by the slot size; 0: every spooled block goes through the file). See `Spool`.
    public var memoryBlocks: Int
    /// Disk calls (injectable for tests).
    public var io: SpoolIO
    /// Called on spool events (tests and statistics), in their true order — some with the spool lock held, so it
    /// must be quick and must not call back into the spool.
    public var observer: (@Sendable (SpoolEvent) -> Void)?

    public init(
        directory: String, storageName: String, deviceName: String, maximumSpoolSize: Int64,
        maximumJobSpoolSize: Int64, blockSize: Int = 1 << 20, despoolStartBlocks: Int? = nil, turnBlocks: Int = 64,
        memoryBlocks: Int = 0, io: SpoolIO = .system, observer: (@Sendable (SpoolEvent) -> Void)? = nil
    ) {
        self.directory = directory
        self.storageName = storageName
        self.deviceName = deviceName
        self.maximumSpoolSize = maximumSpoolSize
        self.maximumJobSpoolSize = maximumJobSpoolSize
        self.blockSize = blockSize
        self.despoolStartBlocks = despoolStartBlocks
        self.turnBlocks = max(1, turnBlocks)
        self.memoryBlocks = max(0, memoryBlocks)
        self.io = io
        self.observer = observer
    }

    /// One spool slot: a block padded for tape, rounded up to the disk calls' alignment (O_DIRECT).
    public var slotSize: Int {
        let m = max(VolumeFormat.tapePadding, io.alignment)
        return (max(blockSize, VolumeFormat.blockHeaderSize + VolumeFormat.recordHeaderSize + 1) + m - 1) / m * m
    }

    /// Slots all jobs together may fill.
    public var deviceSlots: Int { Int(maximumSpoolSize / Int64(slotSize)) }
    /// Slots one job may fill.
    public var jobSlots: Int { Int(min(maximumJobSpoolSize, maximumSpoolSize) / Int64(slotSize)) }

    /// Slots `job` may fill: its own Spool Size when it has one (never less than two slots, never more than the
    /// device's Maximum Spool Size), else the device's `jobSlots`.
    public func jobSlots(for job: DeviceJob) -> Int {
        guard job.spoolSize > 0 else { return jobSlots }
        let bytes = min(Int64(clamping: job.spoolSize), maximumSpoolSize)
        return max(2, Int(bytes / Int64(slotSize)))
    }

    /// `<Spool Directory>/<SD name>.data.<JobId>.<Job>.<Device>.spool` (spec §9).
    public func path(for job: DeviceJob) -> String {
        "\(directory)/\(storageName).data.\(job.jobID).\(job.name).\(deviceName).spool"
    }
}

/// Things the spool reports as they happen, in order.
public enum SpoolEvent: Sendable, Equatable {
    /// A block of the job was spooled: written to its spool file, or held in spool memory (its sequence number
    /// within the job, from 0).
    case spooled(SessionKey, block: Int)
    /// A block of the job was read back and handed to the drive writer (sequence number within the job).
    case despooled(SessionKey, block: Int)
    /// The job got the despool turn.
    case turn(SessionKey)
    /// The job's producer waited for spool space.
    case waitedForSpace(SessionKey)
    /// The job committed (its last block is spooled).
    case committed(SessionKey)
}
