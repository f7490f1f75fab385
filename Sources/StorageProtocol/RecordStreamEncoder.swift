import BaculaVolume
import BaculaWire

/// The header the SD sends before each record of a read session: `rechdr %ld %ld %ld %ld %ld` = VolSessionId
/// VolSessionTime FileIndex Stream DataLength, with no newline (spec §3.4.6) [WIRE: the restore capture's headers
/// are reproduced byte-for-byte from the records of the backup capture].
public struct ReadRecordHeader: Hashable, Sendable {
    public var sessionID: UInt32
    public var sessionTime: UInt32
    public var fileIndex: Int32
    public var stream: Int32
    public var dataLength: Int

    public init(sessionID: UInt32, sessionTime: UInt32, fileIndex: Int32, stream: Int32, dataLength: Int) {
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.fileIndex = fileIndex
        self.stream = stream
        self.dataLength = dataLength
    }

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var f = try ScannedFields(bytes, format: "rechdr %ld %ld %ld %ld %ld", kind: "read record header")
        self.init(
            sessionID: try f.integer(), sessionTime: try f.integer(), fileIndex: try f.integer(),
            stream: try f.integer(), dataLength: try f.integer())
    }

    public var bytes: [UInt8] { Array("rechdr \(sessionID) \(sessionTime) \(fileIndex) \(stream) \(dataLength)".utf8) }
}

/// Frames for the SD → FD direction of a read session: per record a `rechdr` frame and one frame with the record's
/// bytes, back to back (no EOD between streams or files); one EOD after the last record.
public enum RecordStreamEncoder {
    /// The two frames for `record`. The session id/time are the record's own (those of the backup session).
    public static func frames(for record: Record) throws(RecordStreamError) -> [Frame] {
        guard record.fileIndex > 0 else { throw .labelRecord(fileIndex: record.fileIndex) }
        guard record.data.count <= WireLimits.maximumFrameLength else {
            throw .recordTooLarge(length: record.data.count, fileIndex: record.fileIndex, stream: record.stream)
        }
        let header = ReadRecordHeader(
            sessionID: record.sessionID, sessionTime: record.sessionTime, fileIndex: record.fileIndex,
            stream: record.stream, dataLength: record.data.count)
        return [.payload(header.bytes), .payload(record.data)]
    }

    /// The frame that ends the data of a read session.
    public static let endOfData = Frame.signal(.endOfData)
}
