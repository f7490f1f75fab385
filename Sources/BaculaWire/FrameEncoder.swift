/// Turns frames into bsock packets (spec §1.1). A sender never sets the extended-header bit (§1.4).
public enum FrameEncoder {
    /// Appends the packet for `frame` to `output`. With `compress` the payload is sent as an LZ4 block when Bacula's
    /// sender rule says it pays (§1.5); signals are never compressed.
    public static func encode(_ frame: Frame, compress: Bool = false, into output: inout [UInt8]) throws(WireError) {
        switch frame {
        case .signal(let signal):
            appendWord(UInt32(bitPattern: signal.rawValue), to: &output)
        case .payload(let bytes):
            guard bytes.count <= WireLimits.maximumFrameLength else {
                throw .outgoingFrameTooLarge(length: bytes.count)
            }
            if compress, let block = LZ4Block.compressIfWorthwhile(bytes) {
                appendWord(UInt32(block.count) | HeaderFlags.compressed.rawValue, to: &output)
                output.append(contentsOf: block)
            } else {
                appendWord(UInt32(bytes.count), to: &output)
                output.append(contentsOf: bytes)
            }
        }
    }

    /// The packet bytes for one frame.
    public static func encode(_ frame: Frame, compress: Bool = false) throws(WireError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(frame, compress: compress, into: &output)
        return output
    }

    private static func appendWord(_ word: UInt32, to output: inout [UInt8]) {
        output.append(UInt8(truncatingIfNeeded: word >> 24))
        output.append(UInt8(truncatingIfNeeded: word >> 16))
        output.append(UInt8(truncatingIfNeeded: word >> 8))
        output.append(UInt8(truncatingIfNeeded: word))
    }
}
