import BaculaWire

/// A protocol line that could not be read as the message it claims to be. Says which kind of message, which field
/// (when one was at fault) and shows the line's printable beginning.
public struct MessageError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The line matches none of the forms of `kind` (a literal of the format did not match).
        case unrecognized
        /// `field` holds a number outside the range the message allows (`value` as read).
        case outOfRange(field: String, value: Int64)
        /// `field` is empty or malformed.
        case badField(field: String)
        /// A binary message is shorter or longer than its own header says.
        case badLength(expected: Int, actual: Int)
    }

    /// The kind of message that was expected (`JobId command`, `CatReq UpdateMedia`, ...).
    public var kind: String
    public var reason: Reason
    /// The rejected line as given (the caller's array, not a copy). It is rendered only when `line` is read: every
    /// message parser the Storage daemon tries on a line rejects it with an error, and most are dropped unread.
    private let bytes: [UInt8]

    public init(kind: String, reason: Reason, line: [UInt8]) {
        self.kind = kind
        self.reason = reason
        self.bytes = line
    }

    /// The line's printable beginning (at most 80 bytes, control bytes shown as escapes).
    public var line: String { Printable.prefix(bytes) }

    /// Errors are equal when they say the same: kind, reason and the printable beginning of the line.
    public static func == (lhs: MessageError, rhs: MessageError) -> Bool {
        lhs.kind == rhs.kind && lhs.reason == rhs.reason && lhs.line == rhs.line
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(reason)
        hasher.combine(line)
    }

    public var description: String {
        switch reason {
        case .unrecognized: return "not a \(kind): \"\(line)\""
        case .outOfRange(let field, let value): return "\(kind): \(field)=\(value) is out of range in \"\(line)\""
        case .badField(let field): return "\(kind): field \(field) is malformed in \"\(line)\""
        case .badLength(let expected, let actual):
            return "\(kind): \(actual) bytes where the header announces \(expected) in \"\(line)\""
        }
    }
}

/// Printable renderings of wire bytes for errors and logs.
enum Printable {
    /// Built byte by byte in one buffer: every message parser that rejects a line makes one.
    static func prefix(_ bytes: [UInt8], limit: Int = 80) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, limit) * 4 + 3)
        for byte in bytes.prefix(limit) {
            switch byte {
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x00: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "0"))
            case 0x20..<0x7F: out.append(byte)
            default:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "x"))
                if byte >= 0x10 { out.append(hex[Int(byte >> 4)]) }
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        if bytes.count > limit { out += "...".utf8 }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hex = Array("0123456789abcdef".utf8)
}

/// The conversions of one successful `BScanf` scan, read in order with typed range checks. Field names for errors
/// are taken from the format (`Key=%d` names its conversion `Key`), only when an error needs one.
struct ScannedFields {
    private let values: [BScanf.Value]
    private let format: String
    private let kind: String
    private let line: [UInt8]
    private var index = 0

    /// Scans `line` against `format`; throws `.unrecognized` when a literal of the format does not match.
    init(_ line: [UInt8], format: String, kind: String) throws(MessageError) {
        guard let values = BScanf.scan(line, format: format) else {
            throw MessageError(kind: kind, reason: .unrecognized, line: line)
        }
        self.values = values
        self.format = format
        self.kind = kind
        self.line = line
    }

    /// The name of the conversion at `position` (counted from 0).
    private func fieldName(_ position: Int) -> String {
        let names = ScannedFields.fieldNames(format)
        return position < names.count ? names[position] : "field \(position + 1)"
    }

    private mutating func next() -> BScanf.Value? {
        defer { index += 1 }
        return index < values.count ? values[index] : nil
    }

    mutating func int64() throws(MessageError) -> Int64 {
        let position = index
        guard let value = next()?.number else {
            throw MessageError(kind: kind, reason: .badField(field: fieldName(position)), line: line)
        }
        return value
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(MessageError) -> T {
        let position = index
        let value = try int64()
        guard let exact = T(exactly: value) else {
            throw MessageError(kind: kind, reason: .outOfRange(field: fieldName(position), value: value), line: line)
        }
        return exact
    }

    mutating func flag() throws(MessageError) -> Bool { try int64() != 0 }

    /// A `%s` field as sent (bashed names keep their 0x01 bytes).
    mutating func raw() throws(MessageError) -> String {
        let position = index
        guard let value = next()?.string else {
            throw MessageError(kind: kind, reason: .badField(field: fieldName(position)), line: line)
        }
        return value
    }

    /// A non-empty `%s` field with 0x01 turned back into spaces.
    mutating func name() throws(MessageError) -> String {
        let position = index
        let value = try raw()
        guard !value.isEmpty else { throw MessageError(kind: kind, reason: .badField(field: fieldName(position)), line: line) }
        return BashedName.unbash(value)
    }

    private static func fieldNames(_ format: String) -> [String] {
        var names: [String] = []
        for token in format.split(separator: " ") where token.contains("%") {
            if let eq = token.firstIndex(of: "=") {
                names.append(String(token[..<eq]))
            } else {
                names.append(String(token))
            }
        }
        return names
    }
}

/// Builders shared by the message types.
enum Line {
    /// A text frame's bytes.
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// True when `bytes` starts with the ASCII `prefix`.
    static func starts(_ bytes: [UInt8], with prefix: String) -> Bool { startsWith(bytes, prefix) }

    /// True when `bytes` are exactly `text`'s bytes (compared in place).
    static func equals(_ bytes: [UInt8], _ text: String) -> Bool { text.utf8.count == bytes.count && startsWith(bytes, text) }

    /// The bytes after `prefix`, up to a first NUL, with one trailing newline dropped.
    static func rest(_ bytes: [UInt8], after prefix: String) -> [UInt8] {
        var rest = Array(bytes.dropFirst(prefix.utf8.count).prefix { $0 != 0 })
        if rest.last == 0x0A { rest.removeLast() }
        return rest
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Whether `bytes` begin with `prefix`'s UTF-8 bytes, compared in place (every message parser tries its prefixes on
/// every line; the generic `starts(with:)` walks two iterators).
func startsWith<Bytes: RandomAccessCollection>(_ bytes: Bytes, _ prefix: String) -> Bool
where Bytes.Element == UInt8, Bytes.Index == Int {
    var prefix = prefix
    return prefix.withUTF8 { expected in
        guard expected.count <= bytes.count else { return false }
        var position = bytes.startIndex
        for byte in expected {
            if bytes[position] != byte { return false }
            position += 1
        }
        return true
    }
}
