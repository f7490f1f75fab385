import Testing

@testable import BaculaWire

@Suite struct ClockReadingTests {
    /// The reply bacula-dir gave a real bacula-fd's `btime` signal (spec §3.2.3, an Incremental's clock sync).
    @Test func parsesTheDirectorsReplySeenOnTheWire() {
        #expect(ClockReading(parsing: Array("btime 1795707000480196\n".utf8)) == ClockReading(microseconds: 1_795_707_000_480_196))
    }

    /// As bacula-fd reads it (`btime %s`, then the word's digits): a line without a word after `btime` is refused,
    /// a word without digits reads as 0.
    @Test func aLineThatIsNotAClockReadingIsRefused() {
        for line in ["", "btime\n", "btime  \n", "time 12\n", "2000 OK level\n"] {
            #expect(ClockReading(parsing: Array(line.utf8)) == nil, "\(line)")
        }
        #expect(ClockReading(parsing: Array("btime x\n".utf8)) == ClockReading(microseconds: 0))
        #expect(ClockReading(parsing: Array("btime 12ab\n".utf8)) == ClockReading(microseconds: 12))
    }

    @Test func everyReadingParsesBackFromItsLine() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let reading = ClockReading(microseconds: Int64.random(in: 0...Int64.max, using: &generator))
            #expect(ClockReading(parsing: Array(reading.line.utf8)) == reading)
        }
        #expect(ClockReading(microseconds: 5).line == "btime 5\n")
    }
}
