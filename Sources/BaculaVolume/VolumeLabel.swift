/// The volume label: the only record of block 0 (spec §5).
public struct VolumeLabel: Equatable, Sendable {
    public var id: String = VolumeFormat.labelID
    public var version: UInt32 = VolumeFormat.labelVersion
    /// Microseconds since the epoch when the volume was first labelled (VerNum ≥ 11; raw bits of the Julian
    /// day double for older labels).
    public var labelTime: Int64
    /// Microseconds since the epoch when this label block was written.
    public var writeTime: Int64
    public var writeDate: Double = 0
    public var writeTimeOfDay: Double = 0
    public var volumeName: String
    public var previousVolumeName: String = ""
    public var poolName: String
    public var poolType: String = "Backup"
    public var mediaType: String
    public var hostName: String
    public var labelProgram: String
    public var programVersion: String
    public var programDate: String
    public var alignedVolumeName: String = ""
    public var firstData: UInt64 = 0
    public var fileAlignment: UInt32 = 0
    public var paddingSize: UInt32 = 0
    /// The writer's configured Maximum Block Size, 0 if not configured.
    public var blockSize: UInt32 = 0

    public init(
        labelTime: Int64, writeTime: Int64, volumeName: String, poolName: String, mediaType: String,
        hostName: String, labelProgram: String, programVersion: String, programDate: String, blockSize: UInt32 = 0
    ) {
        self.labelTime = labelTime
        self.writeTime = writeTime
        self.volumeName = volumeName
        self.poolName = poolName
        self.mediaType = mediaType
        self.hostName = hostName
        self.labelProgram = labelProgram
        self.programVersion = programVersion
        self.programDate = programDate
        self.blockSize = blockSize
    }

    /// Decodes a label payload. Fields 16–20 are optional (older writers stop after ProgDate).
    public init(decoding bytes: [UInt8]) throws(VolumeError) {
        var r = FieldReader(bytes, what: "volume label")
        id = try r.string("Id")
        guard id == VolumeFormat.labelID || id == VolumeFormat.oldLabelID else {
            throw .malformed(what: "volume label", field: "Id", offset: 0)
        }
        version = try r.u32("VerNum")
        labelTime = try r.i64("label time")
        writeTime = try r.i64("write time")
        writeDate = try r.float64("write_date")
        writeTimeOfDay = try r.float64("write_time")
        volumeName = try r.string("VolumeName")
        previousVolumeName = try r.string("PrevVolumeName")
        poolName = try r.string("PoolName")
        poolType = try r.string("PoolType")
        mediaType = try r.string("MediaType")
        hostName = try r.string("HostName")
        labelProgram = try r.string("LabelProg")
        programVersion = try r.string("ProgVersion")
        programDate = try r.string("ProgDate")
        if r.remaining > 0 {
            alignedVolumeName = try r.string("AlignedVolumeName")
            firstData = try r.u64("FirstData")
            fileAlignment = try r.u32("FileAlignment")
            paddingSize = try r.u32("PaddingSize")
            blockSize = try r.u32("BlockSize")
        }
    }

    /// The serialized payload, byte-identical to what 9.6.7 writes.
    public func encoded() -> [UInt8] {
        var w = FieldWriter()
        w.string(id)
        w.u32(version)
        w.i64(labelTime)
        w.i64(writeTime)
        w.float64(writeDate)
        w.float64(writeTimeOfDay)
        for s in [
            volumeName, previousVolumeName, poolName, poolType, mediaType, hostName, labelProgram, programVersion,
            programDate, alignedVolumeName,
        ] {
            w.string(s)
        }
        w.u64(firstData)
        w.u32(fileAlignment)
        w.u32(paddingSize)
        w.u32(blockSize)
        return w.bytes
    }
}
