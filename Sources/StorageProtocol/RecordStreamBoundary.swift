import BaculaWire

/// Finds the end of an FD's record stream (spec §3.4.3) without parsing it: the EOD that comes where a stream header
/// would (first, or right after a stream's EOD). Fed every frame of the stream in order, heartbeats left out; used to
/// tell where a stream diverted from the connection in batches ends, so that the frames after it are read again one
/// by one. A malformed stream is the parser's to reject; this only has to stop at the end of a well-formed one.
public struct RecordStreamBoundary: Sendable {
    private var awaitingHeader = true

    public init() {}

    /// True for the frame that ends the stream.
    public mutating func isEnd(_ frame: Frame) -> Bool {
        switch frame {
        case .payload:
            awaitingHeader = false
            return false
        case .signal(.endOfData):
            if awaitingHeader { return true }
            awaitingHeader = true
            return false
        case .signal:
            return false
        }
    }
}
