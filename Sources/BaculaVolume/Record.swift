/// One logical record: a label or a piece of a file's data, reassembled across blocks (spec §4).
public struct Record: Equatable, Sendable {
    /// Session (job) id from the block header.
    public var sessionID: UInt32
    /// Session time from the block header.
    public var sessionTime: UInt32
    /// > 0: file number within the job; < 0: a label (`LabelType`).
    public var fileIndex: Int32
    /// Stream type and flags (always positive here; continuation signs are resolved by the reader).
    public var stream: Int32
    /// The payload.
    public var data: [UInt8]
    /// Address of the block this record starts in.
    public var address: VolumeAddress
    /// True when the reader saw only the tail of the record (its first part was on an earlier volume or skipped).
    public var isContinuation: Bool

    public init(
        sessionID: UInt32, sessionTime: UInt32, fileIndex: Int32, stream: Int32, data: [UInt8],
        address: VolumeAddress = .offset(0), isContinuation: Bool = false
    ) {
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.fileIndex = fileIndex
        self.stream = stream
        self.data = data
        self.address = address
        self.isContinuation = isContinuation
    }

    /// The label type when `fileIndex` < 0.
    public var labelType: LabelType? { fileIndex < 0 ? LabelType(rawValue: fileIndex) : nil }
    /// The stream type without flag bits.
    public var streamType: Int32 { stream & StreamType.mask }
}
