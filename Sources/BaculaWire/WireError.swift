/// A violation of the bsock framing by the peer. Each case says what was wrong and where in the stream
/// (`streamOffset` = offset of the offending packet's header from the start of the connection's byte stream).
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The header announced more than `WireLimits.maximumFrameLength` bytes; the connection must end (§1.3).
    case frameTooLarge(length: Int, streamOffset: Int)
    /// The payload is flagged LZ4-compressed but is not a valid LZ4 block.
    case malformedCompressedPayload(compressedLength: Int, streamOffset: Int)
    /// The payload decompresses to more than `WireLimits.maximumFrameLength` bytes.
    case decompressedFrameTooLarge(compressedLength: Int, streamOffset: Int)
    /// The stream ended inside a packet (`buffered` bytes of an incomplete packet were left).
    case truncatedPacket(buffered: Int, streamOffset: Int)
    /// A frame to send is larger than the peer accepts.
    case outgoingFrameTooLarge(length: Int)

    public var description: String {
        switch self {
        case .frameTooLarge(let length, let offset):
            return "packet at stream offset \(offset) announces \(length) bytes, more than the "
                + "\(WireLimits.maximumFrameLength) permitted; terminating connection"
        case .malformedCompressedPayload(let length, let offset):
            return "packet at stream offset \(offset): \(length)-byte LZ4 payload is not a valid LZ4 block"
        case .decompressedFrameTooLarge(let length, let offset):
            return "packet at stream offset \(offset): \(length)-byte LZ4 payload expands beyond "
                + "\(WireLimits.maximumFrameLength) bytes"
        case .truncatedPacket(let buffered, let offset):
            return "stream ended inside the packet at offset \(offset) (\(buffered) bytes of it received)"
        case .outgoingFrameTooLarge(let length):
            return "refusing to send a \(length)-byte packet (limit \(WireLimits.maximumFrameLength))"
        }
    }
}
