/// One packet exactly as it travelled: a signal, or a payload with its header flags (spec §1.1, §1.4).
public struct Packet: Hashable, Sendable {
    public enum Body: Hashable, Sendable {
        case signal(Signal)
        /// `bytes` are as received (still LZ4-compressed when `flags` contains `.compressed`);
        /// `extendedFlags` is the flags word of an extended header, nil when there was none.
        case payload(bytes: [UInt8], flags: HeaderFlags, extendedFlags: ExtendedFlags?)
    }

    public var body: Body
    /// Offset of this packet's header from the start of the byte stream it came from.
    public var streamOffset: Int

    public init(body: Body, streamOffset: Int) {
        self.body = body
        self.streamOffset = streamOffset
    }

    /// True when the payload travelled LZ4-compressed.
    public var isCompressed: Bool {
        if case .payload(_, let flags, _) = body { return flags.contains(.compressed) }
        return false
    }

    /// The message this packet carries, with any LZ4 compression undone.
    public func frame(limit: Int = WireLimits.maximumFrameLength) throws(WireError) -> Frame {
        switch body {
        case .signal(let signal):
            return .signal(signal)
        case .payload(let bytes, let flags, _):
            guard flags.contains(.compressed) else { return .payload(bytes) }
            do {
                return .payload(try LZ4Block.decompress(bytes, limit: limit))
            } catch .tooLarge {
                throw .decompressedFrameTooLarge(compressedLength: bytes.count, streamOffset: streamOffset)
            } catch {
                throw .malformedCompressedPayload(compressedLength: bytes.count, streamOffset: streamOffset)
            }
        }
    }
}
