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
}
