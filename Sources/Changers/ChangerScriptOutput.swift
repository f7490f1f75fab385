/// The output formats of Bacula's changer-command interface (volume spec §10.1). Pure parsers: text in, elements
/// out, with a typed error naming the line that does not fit.
public enum ChangerScriptOutput {
    public struct FormatError: Error, Equatable, Sendable, CustomStringConvertible {
        public var command: String
        public var line: String
        public var expected: String
        public var description: String { "\(command): unexpected output line \"\(line)\" (expected \(expected))" }
    }

    /// `loaded`: the first line is the slot in the drive, 0 when the drive is empty.
    public static func loaded(_ text: String) throws(FormatError) -> Int {
        try number(text, command: "loaded")
    }

    /// `slots`: the first line is the number of slots (leading blanks allowed).
    public static func slots(_ text: String) throws(FormatError) -> Int {
        try number(text, command: "slots")
    }

    /// `list`: `slot:barcode` per full slot (the barcode may be empty). Blank lines are skipped.
    public static func list(_ text: String) throws(FormatError) -> [(slot: Int, barcode: String?)] {
        var out: [(Int, String?)] = []
        for line in lines(text) {
            let parts = fields(line, maxSplits: 1)
            guard let slot = Int(parts[0].trimmingBlanks), slot > 0 else {
                throw FormatError(command: "list", line: String(line), expected: "slot:barcode")
            }
            out.append((slot, parts.count > 1 ? nonEmpty(parts[1].trimmingBlanks) : nil))
        }
        return out
    }

    /// One line of `listall`.
    public enum ListAllEntry: Equatable, Sendable {
        /// `D:drive:F:slot:barcode` or `D:drive:E`; `slot` is where the cartridge came from.
        case drive(Int, slot: Int?, barcode: String?, full: Bool)
        /// `S:slot:F:barcode` or `S:slot:E`.
        case slot(Int, barcode: String?, full: Bool)
        /// `I:slot:F:barcode` or `I:slot:E` (import/export).
        case importExport(Int, barcode: String?, full: Bool)
    }

    /// `listall`: every drive, slot and import/export slot, full (`F`) or empty (`E`).
    public static func listAll(_ text: String) throws(FormatError) -> [ListAllEntry] {
        var out: [ListAllEntry] = []
        for line in lines(text) {
            let f = fields(line).map(\.trimmingBlanks)
            let bad = FormatError(command: "listall", line: String(line), expected: "D:n:F:slot:barcode, D:n:E, S:n:F:barcode, S:n:E, I:n:F:barcode or I:n:E")
            guard f.count >= 3, let n = Int(f[1]), n >= 0, f[2] == "F" || f[2] == "E" else { throw bad }
            let full = f[2] == "F"
            switch f[0] {
            case "D":
                if full {
                    guard f.count >= 4 else { throw bad }
                    let barcode = f.count > 4 ? nonEmpty(f[4...].joined(separator: ":")) : nil
                    out.append(.drive(n, slot: Int(f[3]).flatMap { $0 > 0 ? $0 : nil }, barcode: barcode, full: true))
                } else {
                    out.append(.drive(n, slot: nil, barcode: nil, full: false))
                }
            case "S", "I":
                guard n > 0 else { throw bad }
                let barcode = full && f.count > 3 ? nonEmpty(f[3...].joined(separator: ":")) : nil
                out.append(f[0] == "S" ? .slot(n, barcode: barcode, full: full) : .importExport(n, barcode: barcode, full: full))
            default:
                throw bad
            }
        }
        return out
    }

    private static func number(_ text: String, command: String) throws(FormatError) -> Int {
        let first = lines(text).first ?? ""
        guard let n = Int(first.trimmingBlanks), n >= 0 else {
            throw FormatError(command: command, line: String(first), expected: "a number")
        }
        return n
    }

    /// The text's lines that are not blank, as written (without their line ends). Lines end at the ASCII line ends
    /// "\n", "\r", vertical tab and form feed — a script's output is ASCII, read byte by byte (each is a control
    /// character, so a line always ends on a `Character` boundary).
    private static func lines(_ text: String) -> [Substring] {
        var out: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while true {
            let atEnd = index == utf8.endIndex
            if atEnd || isLineEnd(utf8[index]) {
                let line = text[start..<index]
                if !line.utf8.allSatisfy(isBlank) { out.append(line) }
                if atEnd { return out }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
    }

    private static func isLineEnd(_ byte: UInt8) -> Bool {
        byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// A line's colon-separated fields, empty ones kept; at most `maxSplits` splits.
    private static func fields(_ line: Substring, maxSplits: Int = .max) -> [Substring] {
        line.utf8.split(separator: UInt8(ascii: ":"), maxSplits: maxSplits, omittingEmptySubsequences: false).map {
            Substring($0)
        }
    }

    private static func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
}

/// Space, tab and carriage return: the blanks a changer script's fields may carry around them.
private func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

extension StringProtocol {
    /// The text without the blanks (space, tab, "\r") at either end, found byte by byte.
    var trimmingBlanks: String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        while start != utf8.endIndex, isBlank(utf8[start]) { start = utf8.index(after: start) }
        var end = start
        var index = start
        while index != utf8.endIndex {
            let next = utf8.index(after: index)
            if !isBlank(utf8[index]) { end = next }
            index = next
        }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}
