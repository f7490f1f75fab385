import BaculaVolume

/// Turns a volume's records into restored files through a `RestoreWriter`: an attribute record starts a file,
/// data records (plain, sparse, GZIP, LZO) fill it, the next file or `finish()` completes it. Digest, ACL and
/// other streams are skipped. Failures are collected per file and restoring goes on.
public final class RecordRestorer {
    public let writer: RestoreWriter
    /// Problems met, one line each (path and cause).
    public private(set) var problems: [String] = []
    private var current: (session: UInt64, fileIndex: Int32)?

    public init(writer: RestoreWriter) { self.writer = writer }

    /// Feeds one record (labels are ignored).
    public func consume(_ record: Record) {
        guard record.fileIndex > 0 else { return }
        let session = UInt64(record.sessionID) << 32 | UInt64(record.sessionTime)
        let type = record.streamType
        do {
            if type == StreamType.unixAttributes || type == StreamType.unixAttributesEx {
                guard !record.isContinuation else { return }
                let attributes = try FileAttributes(decoding: record.data)
                current = nil
                try writer.begin(attributes)
                current = (session, record.fileIndex)
            } else if FileData.isDataStream(type) {
                guard let c = current, c.session == session, c.fileIndex == record.fileIndex else { return }
                try writer.write(try FileData.decode(stream: record.stream, payload: record.data))
            }
        } catch {
            problems.append("FileIndex \(record.fileIndex) at \(record.address): \(error)")
            if type == StreamType.unixAttributes { current = nil }
        }
    }

    /// Completes the last file and the directories.
    public func finish() {
        do { try writer.finish() } catch { problems.append("\(error)") }
    }
}
