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
        var register: UInt32 = 0
        var remaining = 0
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        var next = iterator.next()
        while let byte = next {
            if remaining < 6 {
                register <<= 8
                switch mode {
                case .bacula: register |= UInt32(bitPattern: Int32(Int8(bitPattern: byte)))
                case .compatible: register |= UInt32(byte)
                }
                remaining += 8
                next = iterator.next()
            }
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
        return String(decoding: output, as: UTF8.self)
    }
}
