/// Bacula's base64 number encoding used in the encoded stat (spec §7.2): digits `A–Z a–z 0–9 + /`, most
/// significant first, minimal length, `-` prefix for negatives. Not RFC 4648.
public enum BaculaBase64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static let values: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Encodes one integer.
    public static func encode(_ value: Int64) -> String {
        var magnitude = value.magnitude
        var digits = [UInt8]()
        repeat {
            digits.append(alphabet[Int(magnitude & 63)])
            magnitude >>= 6
        } while magnitude != 0
        if value < 0 { digits.append(UInt8(ascii: "-")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// Decodes one integer from `text` (a single field, no spaces). Unknown characters count as 0, as in Bacula; a
    /// field too long for 64 bits keeps its low 64 bits, and its negation wraps (`-IAAAAAAAAAA` is `Int64.min`), as
    /// Bacula's C arithmetic does — never a trap on what a volume or a client sends.
    public static func decode<S: Sequence>(_ text: S) -> Int64 where S.Element == UInt8 {
        var value: Int64 = 0
        var negative = false
        var first = true
        for c in text {
            if first && c == UInt8(ascii: "-") {
                negative = true
            } else {
                value = value &<< 6 &+ Int64(values[Int(c)])
            }
            first = false
        }
        return negative ? 0 &- value : value
    }

    /// Decodes one integer from a string.
    public static func decode(_ text: String) -> Int64 { decode(text.utf8) }
}
