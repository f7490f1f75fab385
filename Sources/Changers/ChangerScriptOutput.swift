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
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let slot = Int(parts[0].trimmingBlanks), slot > 0 else {
                throw FormatError(command: "list", line: line, expected: "slot:barcode")
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
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingBlanks }
            let bad = FormatError(command: "listall", line: line, expected: "D:n:F:slot:barcode, D:n:E, S:n:F:barcode, S:n:E, I:n:F:barcode or I:n:E")
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
            throw FormatError(command: command, line: first, expected: "a number")
        }
        return n
    }

    private static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingBlanks.isEmpty }
    }

    private static func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
}

extension StringProtocol {
    var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
