import BaculaWire

/// Malformed record streams on an FD data connection, each naming the frame (counted from 1 after
/// `3000 OK data`) where it went wrong.
public enum RecordStreamError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A header frame is not `FileIndex Stream ExpectedLength` (three decimal numbers).
    case malformedHeader(line: String, frame: Int)
    /// FileIndex must be positive and equal to the previous one or one more (spec §3.4.3).
    case fileIndexOutOfOrder(previous: Int32, received: Int32, frame: Int)
    /// A stream number must be positive (negative streams mean continuation on volumes, 0 is unused).
    case invalidStream(Int32, fileIndex: Int32, frame: Int)
    /// A zero-length data packet inside a stream.
    case emptyDataPacket(fileIndex: Int32, stream: Int32, frame: Int)
    /// A signal other than EOD or a heartbeat arrived in the record stream.
    case unexpectedSignal(Signal, frame: Int)
    /// Something arrived after the end-of-data EOD.
    case frameAfterEndOfData(frame: Int)
    /// A record to send to the FD has a label FileIndex (<= 0); such records are never sent.
    case labelRecord(fileIndex: Int32)
    /// A record to send is larger than one frame may be.
    case recordTooLarge(length: Int, fileIndex: Int32, stream: Int32)

    public var description: String {
        switch self {
        case .malformedHeader(let line, let frame):
            return "record stream frame \(frame): expected a header \"FileIndex Stream Length\", got \"\(line)\""
        case .fileIndexOutOfOrder(let previous, let received, let frame):
            return "record stream frame \(frame): FileIndex \(received) after \(previous) (must stay or grow by 1)"
        case .invalidStream(let stream, let fileIndex, let frame):
            return "record stream frame \(frame): stream \(stream) of FileIndex \(fileIndex) is not positive"
        case .emptyDataPacket(let fileIndex, let stream, let frame):
            return "record stream frame \(frame): empty data packet in FileIndex \(fileIndex) stream \(stream)"
        case .unexpectedSignal(let signal, let frame): return "record stream frame \(frame): unexpected \(signal)"
        case .frameAfterEndOfData(let frame): return "record stream frame \(frame): data after the end of data"
        case .labelRecord(let fileIndex): return "refusing to send label record (FileIndex \(fileIndex)) to an FD"
        case .recordTooLarge(let length, let fileIndex, let stream):
            return "record of \(length) bytes (FileIndex \(fileIndex) stream \(stream)) exceeds one frame"
        }
    }
}
