import BaculaVolume

/// FileIndex renumbering for a job that writes the records of several source jobs as one new session (VirtualFull):
/// every (source session, FileIndex) pair met in order gets the next number from 1, so the new job's files are
/// numbered 1...N as a backup's are. Attribute records (streams 1 and 5) start with their FileIndex in decimal; it is
/// rewritten too, because a File daemon refuses a record whose header and attributes disagree. Other data is kept
/// byte for byte (compressed, sparse and encrypted data stay as the FD sent them).
public struct FileIndexRenumbering: Sendable {
    private var lastSource: (sessionID: UInt32, sessionTime: UInt32, fileIndex: Int32)?
    /// The last FileIndex given out (the new job's file count).
    public private(set) var lastFileIndex: Int32 = 0

    public init() {}

    /// `record` with its new FileIndex (and attributes rewritten); label records (FileIndex ≤ 0) are returned as they are.
    public mutating func renumber(_ record: Record) -> Record {
        guard record.fileIndex > 0 else { return record }
        if let last = lastSource, last.sessionID == record.sessionID, last.sessionTime == record.sessionTime,
            last.fileIndex == record.fileIndex
        {
            // another stream of the same file
        } else {
            lastFileIndex += 1
            lastSource = (record.sessionID, record.sessionTime, record.fileIndex)
        }
        var copy = record
        copy.fileIndex = lastFileIndex
        if Self.attributeStreams.contains(record.stream & StreamType.mask) {
            copy.data = Self.replacingLeadingNumber(in: record.data, with: lastFileIndex)
        }
        return copy
    }

    /// UNIX attributes and extended UNIX attributes: their data is `FileIndex Type Name\0...`.
    public static let attributeStreams: Set<Int32> = [1, 5]

    /// `data` with its leading decimal number replaced by `number`; unchanged when it does not start with one.
    public static func replacingLeadingNumber(in data: [UInt8], with number: Int32) -> [UInt8] {
        let digits = data.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
        guard digits > 0, digits < data.count, data[digits] == UInt8(ascii: " ") else { return data }
        return Array(String(number).utf8) + data[digits...]
    }
}
