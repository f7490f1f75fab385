import BaculaWire
import StorageProtocol
import Testing

/// `RecordHeader(parsing:)` reads headers in one pass; it must accept and refuse exactly what the scanner-based rule
/// does (Bacula's `%ld %d %lld`, then the printed form must match, then only whitespace).
@Suite struct RecordHeaderParsingTests {
    /// The rule as it was written first: the scanner, then the printed form as a prefix, then whitespace.
    static func reference(_ bytes: [UInt8]) -> RecordHeader? {
        guard bytes.count <= 64, !bytes.contains(0),
            let values = BScanf.scan(bytes, format: "%ld %d %lld"), values.count == 3,
            case .number(let index, true) = values[0], case .number(let stream, true) = values[1],
            case .number(let length, true) = values[2], let index32 = Int32(exactly: index),
            let stream32 = Int32(exactly: stream)
        else { return nil }
        let printed = Array("\(index) \(stream) \(length)".utf8)
        let spaces: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]
        guard bytes.starts(with: printed), bytes.dropFirst(printed.count).allSatisfy({ spaces.contains($0) }) else {
            return nil
        }
        return RecordHeader(fileIndex: index32, stream: stream32, expectedLength: length)
    }

    static let samples: [String] = [
        "1 1 0", "1 2 4096", "200000 1 0", "7 -2 12", "-3 1 0", "1 1 0 ", "1 1 0\n", "1 1 0\t \r\n", "1 1 0 x",
        "1 1", "1  1 0", " 1 1 0", "01 1 0", "1 01 0", "1 1 00", "0 1 0", "-0 1 0", "1 -0 0", "+1 1 0", "one 1 0",
        "1 1 -", "1 1 0\0", "2147483647 1 0", "2147483648 1 0", "-2147483648 1 0", "-2147483649 1 0",
        "1 2147483647 9223372036854775807", "1 1 9223372036854775808", "1 1 -9223372036854775808",
        "1 1 -9223372036854775809", "1 1 99999999999999999999", "1\t1 0", "1 1 0" + String(repeating: " ", count: 59),
        "1 1 0" + String(repeating: " ", count: 60), "", " ", "-", "1 1 5x", "12 27 1234567890123",
    ]

    @Test func agreesWithTheScannerRuleOnEdgeCases() {
        for sample in Self.samples {
            let bytes = Array(sample.utf8)
            #expect(RecordHeader(parsing: bytes) == Self.reference(bytes), "\(sample.debugDescription)")
        }
    }

    @Test func agreesWithTheScannerRuleOnRandomHeaders() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789 -\t\n+x0".utf8)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator) ?? 0x20 }
            #expect(RecordHeader(parsing: bytes) == Self.reference(bytes), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
        for _ in 0..<2_000 {
            let header = RecordHeader(
                fileIndex: Int32.random(in: .min ... .max, using: &generator),
                stream: Int32.random(in: .min ... .max, using: &generator),
                expectedLength: Int64.random(in: .min ... .max, using: &generator))
            #expect(RecordHeader(parsing: header.bytes) == header)
        }
    }
}
