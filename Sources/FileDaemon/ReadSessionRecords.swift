import BaculaWire
import StorageProtocol

/// The SD's record stream of a read session (spec §3.4.6) as records: each record is a header payload
/// (`ReadRecordHeader`) followed by a payload with its data; the stream ends with an end-of-data signal (not given
/// here). Pure: frames in, records out.
struct ReadSessionRecords {
    struct Record: Sendable {
        var fileIndex: Int32
        var stream: Int32
        var data: [UInt8]
    }

    private var header: ReadRecordHeader?

    /// The record `frame` completes, or nil (a header, or a signal between records, which is ignored). Throws
    /// `StorageSessionError` for a header that cannot be parsed or a signal in place of a record's data.
    mutating func take(_ frame: Frame) throws -> Record? {
        switch frame {
        case .signal(let signal):
            guard header == nil else {
                throw StorageSessionError(step: "read data", reason: "a record header without its data (got signal \(signal))")
            }
            return nil
        case .payload(let bytes):
            guard let pending = header else {
                do {
                    header = try ReadRecordHeader(parsing: bytes)
                } catch {
                    throw StorageSessionError(step: "read data", reason: "record header: \(error)")
                }
                return nil
            }
            header = nil
            return Record(fileIndex: pending.fileIndex, stream: pending.stream, data: bytes)
        }
    }

    /// Whether the stream stopped between a header and its data.
    var isInsideRecord: Bool { header != nil }
}
