import BaculaWire

/// The Director's media record as it answers FindMedia, GetVolInfo and UpdateMedia: `1000 OK VolName=%s ...` with
/// all 31 fields in this exact order (spec §3.3.5 a) [WIRE: every such reply of the capture parses and prints back
/// byte-for-byte]. A 9.6 SD requires all 31 conversions, otherwise it treats the volume as unusable.
public struct VolumeInfo: Hashable, Sendable {
    public var volumeName: String
    public var volumeJobs: UInt32 = 0
    public var volumeFiles: UInt32 = 0
    public var volumeBlocks: UInt32 = 0
    public var volumeBytes: UInt64 = 0
    public var volumeABytes: UInt64 = 0
    public var volumeHoleBytes: UInt64 = 0
    public var volumeHoles: UInt32 = 0
    public var volumeMounts: UInt32 = 0
    public var volumeErrors: UInt32 = 0
    public var volumeWrites: UInt64 = 0
    public var maximumVolumeBytes: UInt64 = 0
    public var volumeCapacityBytes: UInt64 = 0
    /// `Append`, `Full`, `Used`, `Recycle`, `Purged`, `Error`, `Archive`, `Read-Only`, `Disabled`, `Busy`, `Cleaning`.
    public var volumeStatus: String = "Append"
    public var slot: Int32 = 0
    public var maximumVolumeJobs: UInt32 = 0
    public var maximumVolumeFiles: UInt32 = 0
    public var inChanger: Bool = false
    public var volumeReadTime: Int64 = 0
    public var volumeWriteTime: Int64 = 0
    public var endFile: UInt32 = 0
    public var endBlock: UInt32 = 0
    /// 0 = never written; otherwise the SD device type that wrote it (1 file, 2 tape, ...).
    public var volumeType: UInt32 = 0
    public var labelType: Int32 = 0
    public var mediaID: UInt64 = 0
    public var scratchPoolID: UInt64 = 0
    public var volumeParts: Int32 = 0
    public var volumeCloudParts: Int32 = 0
    public var lastPartBytes: Int64 = 0
    public var enabled: Int32 = 1
    public var recycle: Int32 = 1

    public init(volumeName: String) { self.volumeName = volumeName }

    static let prefix = "1000 OK VolName="
    static let format =
        "1000 OK VolName=%127s VolJobs=%u VolFiles=%u VolBlocks=%u VolBytes=%lld VolABytes=%lld VolHoleBytes=%lld "
        + "VolHoles=%u VolMounts=%u VolErrors=%u VolWrites=%lld MaxVolBytes=%lld VolCapacityBytes=%lld "
        + "VolStatus=%20s Slot=%d MaxVolJobs=%u MaxVolFiles=%u InChanger=%d VolReadTime=%lld VolWriteTime=%lld "
        + "EndFile=%u EndBlock=%u VolType=%u LabelType=%d MediaId=%lld ScratchPoolId=%lld VolParts=%d "
        + "VolCloudParts=%d LastPartBytes=%lld Enabled=%d Recycle=%d"

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var f = try ScannedFields(bytes, format: Self.format, kind: "volume info reply")
        volumeName = try f.name()
        volumeJobs = try f.integer()
        volumeFiles = try f.integer()
        volumeBlocks = try f.integer()
        volumeBytes = try f.integer()
        volumeABytes = try f.integer()
        volumeHoleBytes = try f.integer()
        volumeHoles = try f.integer()
        volumeMounts = try f.integer()
        volumeErrors = try f.integer()
        volumeWrites = try f.integer()
        maximumVolumeBytes = try f.integer()
        volumeCapacityBytes = try f.integer()
        volumeStatus = try f.raw()
        slot = try f.integer()
        maximumVolumeJobs = try f.integer()
        maximumVolumeFiles = try f.integer()
        inChanger = try f.flag()
        volumeReadTime = try f.integer()
        volumeWriteTime = try f.integer()
        endFile = try f.integer()
        endBlock = try f.integer()
        volumeType = try f.integer()
        labelType = try f.integer()
        mediaID = try f.integer()
        scratchPoolID = try f.integer()
        volumeParts = try f.integer()
        volumeCloudParts = try f.integer()
        lastPartBytes = try f.integer()
        enabled = try f.integer()
        recycle = try f.integer()
    }

    public var bytes: [UInt8] {
        Line.bytes(
            "\(Self.prefix)\(BashedName.bash(volumeName)) VolJobs=\(volumeJobs) VolFiles=\(volumeFiles) "
                + "VolBlocks=\(volumeBlocks) VolBytes=\(volumeBytes) VolABytes=\(volumeABytes) "
                + "VolHoleBytes=\(volumeHoleBytes) VolHoles=\(volumeHoles) VolMounts=\(volumeMounts) "
                + "VolErrors=\(volumeErrors) VolWrites=\(volumeWrites) MaxVolBytes=\(maximumVolumeBytes) "
                + "VolCapacityBytes=\(volumeCapacityBytes) VolStatus=\(volumeStatus) Slot=\(slot) "
                + "MaxVolJobs=\(maximumVolumeJobs) MaxVolFiles=\(maximumVolumeFiles) InChanger=\(inChanger ? 1 : 0) "
                + "VolReadTime=\(volumeReadTime) VolWriteTime=\(volumeWriteTime) EndFile=\(endFile) "
                + "EndBlock=\(endBlock) VolType=\(volumeType) LabelType=\(labelType) MediaId=\(mediaID) "
                + "ScratchPoolId=\(scratchPoolID) VolParts=\(volumeParts) VolCloudParts=\(volumeCloudParts) "
                + "LastPartBytes=\(lastPartBytes) Enabled=\(enabled) Recycle=\(recycle)\n")
    }
}

/// The SD's volume statistics in `CatReq JobId=%ld UpdateMedia VolName=%s ...` (spec §3.3.5 c), 26 fields after
/// the job id in this exact order [WIRE: every UpdateMedia of the capture round-trips byte-for-byte].
public struct MediaUpdate: Hashable, Sendable {
    public var volumeName: String
    public var volumeJobs: UInt32 = 0
    public var volumeFiles: UInt32 = 0
    public var volumeBlocks: UInt32 = 0
    public var volumeBytes: UInt64 = 0
    public var volumeABytes: UInt64 = 0
    public var volumeHoleBytes: UInt64 = 0
    public var volumeHoles: UInt32 = 0
    public var volumeMounts: UInt32 = 0
    public var volumeErrors: UInt32 = 0
    public var volumeWrites: UInt32 = 0
    public var maximumVolumeBytes: UInt64 = 0
    /// Last written, Unix seconds.
    public var endTime: Int64 = 0
    public var volumeStatus: String = "Append"
    public var slot: Int32 = 0
    /// True right after the SD labelled the volume.
    public var relabel: Bool = false
    public var inChanger: Bool = false
    public var volumeReadTime: Int64 = 0
    public var volumeWriteTime: Int64 = 0
    public var volumeFirstWritten: Int64 = 0
    public var volumeType: UInt32 = 0
    public var volumeParts: Int32 = 0
    public var volumeCloudParts: Int32 = 0
    public var lastPartBytes: Int64 = 0
    public var enabled: Int32 = 1
    public var recycle: Int32 = 1

    public init(volumeName: String) { self.volumeName = volumeName }

    static let fieldsFormat =
        "VolName=%127s VolJobs=%u VolFiles=%u VolBlocks=%u VolBytes=%lld VolABytes=%lld VolHoleBytes=%lld "
        + "VolHoles=%u VolMounts=%u VolErrors=%u VolWrites=%u MaxVolBytes=%lld EndTime=%lld VolStatus=%20s "
        + "Slot=%d relabel=%d InChanger=%d VolReadTime=%lld VolWriteTime=%lld VolFirstWritten=%lld VolType=%u "
        + "VolParts=%d VolCloudParts=%d LastPartBytes=%lld Enabled=%d Recycle=%d"

    /// Reads the fields after the scanner consumed `JobId=%ld UpdateMedia `.
    init(fields f: inout ScannedFields) throws(MessageError) {
        volumeName = try f.name()
        volumeJobs = try f.integer()
        volumeFiles = try f.integer()
        volumeBlocks = try f.integer()
        volumeBytes = try f.integer()
        volumeABytes = try f.integer()
        volumeHoleBytes = try f.integer()
        volumeHoles = try f.integer()
        volumeMounts = try f.integer()
        volumeErrors = try f.integer()
        volumeWrites = try f.integer()
        maximumVolumeBytes = try f.integer()
        endTime = try f.integer()
        volumeStatus = try f.raw()
        slot = try f.integer()
        relabel = try f.flag()
        inChanger = try f.flag()
        volumeReadTime = try f.integer()
        volumeWriteTime = try f.integer()
        volumeFirstWritten = try f.integer()
        volumeType = try f.integer()
        volumeParts = try f.integer()
        volumeCloudParts = try f.integer()
        lastPartBytes = try f.integer()
        enabled = try f.integer()
        recycle = try f.integer()
    }

    var fieldsText: String {
        "VolName=\(BashedName.bash(volumeName)) VolJobs=\(volumeJobs) VolFiles=\(volumeFiles) "
            + "VolBlocks=\(volumeBlocks) VolBytes=\(volumeBytes) VolABytes=\(volumeABytes) "
            + "VolHoleBytes=\(volumeHoleBytes) VolHoles=\(volumeHoles) VolMounts=\(volumeMounts) "
            + "VolErrors=\(volumeErrors) VolWrites=\(volumeWrites) MaxVolBytes=\(maximumVolumeBytes) "
            + "EndTime=\(endTime) VolStatus=\(volumeStatus) Slot=\(slot) relabel=\(relabel ? 1 : 0) "
            + "InChanger=\(inChanger ? 1 : 0) VolReadTime=\(volumeReadTime) VolWriteTime=\(volumeWriteTime) "
            + "VolFirstWritten=\(volumeFirstWritten) VolType=\(volumeType) VolParts=\(volumeParts) "
            + "VolCloudParts=\(volumeCloudParts) LastPartBytes=\(lastPartBytes) Enabled=\(enabled) Recycle=\(recycle)"
    }
}
