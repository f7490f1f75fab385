/// A scanner with the semantics of Bacula's private scanf (spec §1.7), used to parse what real daemons send as
/// leniently as they parse each other:
/// - a literal byte in the format must match exactly, or the whole scan fails (nil, no partial result);
/// - a space in the format matches zero or more whitespace bytes (space, tab, newline);
/// - `%d` `%u` `%ld` `%lld` read an optional `-` and zero or more digits (an empty number is 0 and still counts);
/// - `%s` reads up to the next whitespace, at most 1000 bytes, or at most N with `%Ns`;
/// - input after the end of the format is ignored; input ends at its first NUL byte, as a C string does.
public enum BScanf {
    /// One conversion result.
    public enum Value: Hashable, Sendable {
        /// A number; `hasDigits` is false when the input had no digits there (Bacula then stores 0).
        case number(Int64, hasDigits: Bool)
        case string(String)

        public var number: Int64? {
            if case .number(let value, _) = self { return value }
            return nil
        }

        public var string: String? {
            if case .string(let value) = self { return value }
            return nil
        }
    }

    /// The default width of `%s`.
    public static let defaultStringWidth = 1000

    /// Scans `input` against `format`; nil on any literal mismatch or malformed format.
    /// Reads the input in place: a line is tried against many formats, most of which fail at their first literal.
    public static func scan<Bytes: Collection>(_ input: Bytes, format: String) -> [Value]?
    where Bytes.Element == UInt8 {
        if let values = input.withContiguousStorageIfAvailable({ scan(bytes: $0, format: format) }) { return values }
        return Array(input).withUnsafeBufferPointer { scan(bytes: $0, format: format) }
    }

    /// The same for a line as the protocol parsers hold it (no generic dispatch: they scan every line many times).
    public static func scan(_ input: [UInt8], format: String) -> [Value]? {
        input.withUnsafeBufferPointer { scan(bytes: $0, format: format) }
    }

    /// The same for part of a line.
    public static func scan(_ input: ArraySlice<UInt8>, format: String) -> [Value]? {
        input.withUnsafeBufferPointer { scan(bytes: $0, format: format) }
    }

    private static func scan(bytes: UnsafeBufferPointer<UInt8>, format: String) -> [Value]? {
        // The format in place (the formats are literals, stored as UTF-8): no copy per scan.
        var format = format
        return format.withUTF8 { scan(bytes: bytes, pattern: $0) }
    }

    private static func scan(bytes: UnsafeBufferPointer<UInt8>, pattern: UnsafeBufferPointer<UInt8>) -> [Value]? {
        let text = CString(bytes: bytes)
        var position = 0
        var index = 0
        var values: [Value] = []
        while index < pattern.count {
            let byte = pattern[index]
            if byte == UInt8(ascii: "%") {
                index += 1
                var width = 0
                while index < pattern.count, isDigit(pattern[index]) {
                    width = min(width * 10 + Int(pattern[index] - UInt8(ascii: "0")), 1_000_000)
                    index += 1
                }
                while index < pattern.count, pattern[index] == UInt8(ascii: "l") { index += 1 }
                guard index < pattern.count else { return nil }
                let conversion = pattern[index]
                index += 1
                switch conversion {
                case UInt8(ascii: "d"), UInt8(ascii: "u"):
                    var negative = false
                    if text.has(position), text[position] == UInt8(ascii: "-") {
                        negative = true
                        position += 1
                    }
                    var value: Int64 = 0
                    let start = position
                    while text.has(position), isDigit(text[position]) {
                        value = value &* 10 &+ Int64(text[position] - UInt8(ascii: "0"))
                        position += 1
                    }
                    values.append(.number(negative ? 0 &- value : value, hasDigits: position > start))
                case UInt8(ascii: "s"):
                    let limit = width > 0 ? width : defaultStringWidth
                    let start = position
                    while text.has(position), position - start < limit, !isSpace(text[position]) { position += 1 }
                    values.append(.string(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)))
                case UInt8(ascii: "%"):
                    guard text.has(position), text[position] == UInt8(ascii: "%") else { return nil }
                    position += 1
                default:
                    return nil
                }
            } else if isSpace(byte) {
                index += 1
                while text.has(position), isSpace(text[position]) { position += 1 }
            } else {
                guard text.has(position), text[position] == byte else { return nil }
                position += 1
                index += 1
            }
        }
        return values
    }

    /// The input as C reads it: it ends at its first NUL byte.
    private struct CString {
        let bytes: UnsafeBufferPointer<UInt8>

        /// Whether `position` is before the end (checked before every read, so a NUL ends the input).
        func has(_ position: Int) -> Bool { position < bytes.count && bytes[position] != 0 }

        subscript(position: Int) -> UInt8 { bytes[position] }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r") || byte == 0x0B || byte == 0x0C
    }
}

/// Bacula's "bashed" names (spec §1.6): spaces inside a name travel as byte 0x01.
public enum BashedName {
    /// The wire form of a name: every space becomes 0x01.
    public static func bash(_ name: String) -> String {
        String(decoding: name.utf8.map { $0 == UInt8(ascii: " ") ? 0x01 : $0 }, as: UTF8.self)
    }

    /// The name a bashed wire field stands for: every 0x01 becomes a space.
    public static func unbash(_ field: String) -> String {
        String(decoding: field.utf8.map { $0 == 0x01 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
