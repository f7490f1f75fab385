/// Bacula's base64 encoder (spec §2.5): standard alphabet, never padded, in two modes.
///
/// The *Bacula variant* (what 9.6 sends in CRAM-MD5 responses) sign-extends bytes >= 0x80 into its accumulator and
/// emits the final leftover bits as the low bits of the last character. The *compatible* mode is RFC 4648 bit order
/// without padding. A challenger accepts a response in either mode when it is the TCP acceptor, and only the Bacula
/// variant when it is the connector (§2.3); `=`-padded text is never equal to either.
public enum BaculaBase64 {
    public enum Mode: Sendable {
        /// Sign-extending, low-bit final character: what Bacula 9.6 sends.
        case bacula
        /// RFC 4648 bit order, unpadded.
        case compatible
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes` in the given mode.
    public static func encode<Bytes: Collection>(_ bytes: Bytes, mode: Mode = .bacula) -> String
    where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        encode(bytes, mode: mode, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the encoding of `bytes` to `output` (no String made: for callers that keep the text as bytes).
    public static func encode<Bytes: Collection>(_ bytes: Bytes, mode: Mode = .bacula, into output: inout [UInt8])
    where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { encode(buffer: $0, mode: mode, into: &output) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { encode(buffer: $0, mode: mode, into: &output) } }
    }

    /// `encode(_:mode:into:)` on contiguous bytes: the one loop, not specialized per caller's collection type.
    public static func encode(buffer bytes: UnsafeBufferPointer<UInt8>, mode: Mode = .bacula, into output: inout [UInt8]) {
        var register: UInt32 = 0
        var remaining = 0
        var position = 0
        output.reserveCapacity(output.count + (bytes.count * 4 + 2) / 3)
        alphabet.withUnsafeBufferPointer { alphabet in
            while position < bytes.count {
                if remaining < 6 {
                    let byte = bytes[position]
                    register <<= 8
                    switch mode {
                    case .bacula: register |= UInt32(bitPattern: Int32(Int8(bitPattern: byte)))
                    case .compatible: register |= UInt32(byte)
                    }
                    remaining += 8
                    position += 1
                }
                output.append(alphabet[Int((register >> UInt32(remaining - 6)) & 0x3F)])
                remaining -= 6
            }
            // The bits left after the last byte: a full character may still be pending, then the low bits.
            while remaining >= 6 {
                output.append(alphabet[Int((register >> UInt32(remaining - 6)) & 0x3F)])
                remaining -= 6
            }
            if remaining > 0 {
                let low = register & ((1 << UInt32(remaining)) - 1)
                switch mode {
                case .bacula: output.append(alphabet[Int(low)])
                case .compatible: output.append(alphabet[Int(low << UInt32(6 - remaining))])
                }
            }
        }
    }
}
