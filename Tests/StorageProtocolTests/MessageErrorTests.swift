import StorageProtocol
import Testing

/// A rejected line is shown by its printable beginning: at most 80 bytes, control bytes as escapes.
@Suite struct MessageErrorTests {
    @Test func showsThePrintableBeginningOfTheLine() {
        let error = MessageError(kind: "JobId command", reason: .unrecognized, line: [0x61, 0x0A, 0x00, 0x01, 0x1F, 0xFF, 0x7F, 0x20])
        #expect(error.line == "a\\n\\0\\x1\\x1f\\xff\\x7f ")
        #expect(error.description == "not a JobId command: \"a\\n\\0\\x1\\x1f\\xff\\x7f \"")
    }

    @Test func cutsLongLinesAt80Bytes() {
        #expect(MessageError(kind: "k", reason: .unrecognized, line: Array(repeating: 0x41, count: 80)).line == String(repeating: "A", count: 80))
        #expect(MessageError(kind: "k", reason: .unrecognized, line: Array(repeating: 0x41, count: 81)).line == String(repeating: "A", count: 80) + "...")
        #expect(MessageError(kind: "k", reason: .unrecognized, line: Array(repeating: 0x00, count: 16_384)).line == String(repeating: "\\0", count: 80) + "...")
        #expect(MessageError(kind: "k", reason: .unrecognized, line: []).line == "")
    }

    /// The line is rendered when read, not when the error is made (parsers that reject a line make most errors, and
    /// most are dropped unread); errors still compare and hash by what they show.
    @Test func errorsCompareByTheLineTheyShow() {
        let long = Array(repeating: UInt8(0x41), count: 100)
        let first = MessageError(kind: "k", reason: .unrecognized, line: long)
        let second = MessageError(kind: "k", reason: .unrecognized, line: long + [0x42])
        #expect(first == second)
        #expect(Set([first, second]).count == 1)
        #expect(MessageError(kind: "k", reason: .unrecognized, line: [0x41]) != MessageError(kind: "k", reason: .unrecognized, line: [0x42]))
        #expect(MessageError(kind: "k", reason: .unrecognized, line: [0x41]) != MessageError(kind: "j", reason: .unrecognized, line: [0x41]))
    }

    /// Field names come from the format, looked up only when a field is at fault.
    @Test func namesTheFieldOutOfRange() {
        let line = Array("CatReq JobId=99999999999 GetVolInfo VolName=A write=1\n".utf8)
        do {
            _ = try CatalogRequest(parsing: line)
            Issue.record("parsed a JobId beyond 32 bits")
        } catch {
            #expect(error.reason == .outOfRange(field: "JobId", value: 99_999_999_999), "\(error)")
            #expect(error.line == "CatReq JobId=99999999999 GetVolInfo VolName=A write=1\\n")
        }
    }
}
