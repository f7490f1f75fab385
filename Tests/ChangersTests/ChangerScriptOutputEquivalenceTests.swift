import CapstanTestSupport
import Changers
import Testing

/// The changer-script parsers read a script's output byte by byte; on any text of ASCII pieces (the output scripts
/// write) they give the results and errors of the parsers that split `Character`s (kept below as the reference):
/// random texts of digits, letters, colons, blanks and every ASCII line end, `"\r\n"` included.
@Suite struct ChangerScriptOutputEquivalenceTests {
    @Test func resultsAreThoseOfTheCharacterParsersOnRandomTexts() {
        let pieces = [
            "D", "S", "I", "F", "E", ":", "0", "1", "7", "12", "-1", "+3", " ", "\t", "\r", "\n", "\r\n", "\u{0B}",
            "\u{0C}",
            "E00001L6", "x", "D:0:F:2:E00002L6\n", "S:3:E\n", "I:9:F:CLN001\n", "4:ABC\n",
        ]
        var random = SeededRandom(seed: 11)
        for _ in 0..<20_000 {
            let text = (0..<random.below(24)).map { _ in pieces[random.below(pieces.count)] }.joined()
            let shown = Comment(rawValue: text.debugDescription)
            #expect(
                outcome { try ChangerScriptOutput.loaded(text) }
                    == outcome { try CharacterParsers.number(text, command: "loaded") }, shown)
            #expect(
                outcome { try ChangerScriptOutput.slots(text) }
                    == outcome { try CharacterParsers.number(text, command: "slots") }, shown)
            #expect(
                outcome { try ChangerScriptOutput.list(text).map { "\($0.slot)|\($0.barcode ?? "-")" } }
                    == outcome { try CharacterParsers.list(text).map { "\($0.slot)|\($0.barcode ?? "-")" } }, shown)
            #expect(outcome { try ChangerScriptOutput.listAll(text) } == outcome { try CharacterParsers.listAll(text) }, shown)
        }
    }

    /// A parse's value, or the error's line and expectation, as one comparable string.
    private func outcome<T>(_ parse: () throws -> T) -> String {
        do { return "ok \(try parse())" } catch let error as ChangerScriptOutput.FormatError {
            return "error \(error.command) \(error.line.debugDescription) \(error.expected)"
        } catch let error as CharacterParsers.FormatError {
            return "error \(error.command) \(error.line.debugDescription) \(error.expected)"
        } catch { return "other \(error)" }
    }
}

/// The parsers as they were before they read bytes: `Character` splits and trims.
private enum CharacterParsers {
    /// The reference's error (`ChangerScriptOutput.FormatError` has no public initializer).
    struct FormatError: Error {
        var command: String
        var line: String
        var expected: String
    }

    static func list(_ text: String) throws -> [(slot: Int, barcode: String?)] {
        var out: [(Int, String?)] = []
        for line in lines(text) {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let slot = Int(trim(parts[0])), slot > 0 else {
                throw FormatError(command: "list", line: line, expected: "slot:barcode")
            }
            out.append((slot, parts.count > 1 ? nonEmpty(trim(parts[1])) : nil))
        }
        return out
    }

    static func listAll(_ text: String) throws -> [ChangerScriptOutput.ListAllEntry] {
        var out: [ChangerScriptOutput.ListAllEntry] = []
        for line in lines(text) {
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(trim)
            let bad = FormatError(
                command: "listall", line: line,
                expected: "D:n:F:slot:barcode, D:n:E, S:n:F:barcode, S:n:E, I:n:F:barcode or I:n:E")
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

    static func number(_ text: String, command: String) throws -> Int {
        let first = lines(text).first ?? ""
        guard let n = Int(trim(first)), n >= 0 else { throw FormatError(command: command, line: first, expected: "a number") }
        return n
    }

    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map(String.init).filter { !trim($0).isEmpty }
    }

    static func trim<S: StringProtocol>(_ s: S) -> String {
        String(s.drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }

    static func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
}
