import BaculaWire

/// The FD → SD record stream of an append session (spec §3.4.3): per stream a text header `%ld %d %lld`
/// (FileIndex, Stream, ExpectedLength; no newline), the data packets, and an EOD; one more EOD ends the data.
public enum BackupRecordFrames {
    /// The header packet of one stream of one file.
    public static func header(fileIndex: Int32, stream: Int32, expectedLength: Int64) -> Frame {
        .payload(Array("\(fileIndex) \(stream) \(expectedLength)".utf8))
    }

    /// The whole stream: header, each packet, EOD.
    public static func stream(fileIndex: Int32, stream: Int32, expectedLength: Int64, packets: [[UInt8]]) -> [Frame] {
        [header(fileIndex: fileIndex, stream: stream, expectedLength: expectedLength)] + packets.map { .payload($0) }
            + [.signal(.endOfData)]
    }

    /// Ends a stream, and after the last file, the data.
    public static let endOfStream = Frame.signal(.endOfData)
}
