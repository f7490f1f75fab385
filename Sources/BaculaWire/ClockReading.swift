/// The answer to a `btime` signal (BNET_BTIME, -9, "send me your time"): the answering daemon's clock as
/// `btime <microseconds since the Unix epoch>\n` (spec §1.2, §3.2.3; seen on the wire FD → Director during
/// Incremental and Differential jobs, ten times, for the clock offset).
public struct ClockReading: Hashable, Sendable {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The text of the reply.
    public var line: String { "btime \(microseconds)\n" }

    /// Parses a reply as bacula-fd does (`btime %s`, then the word's leading digits: a word without any reads as 0);
    /// nil without a word after `btime`, or for another line.
    public init?(parsing bytes: [UInt8]) {
        guard let values = BScanf.scan(bytes, format: "btime %s"), let word = values.first?.string, !word.isEmpty else {
            return nil
        }
        var microseconds: Int64 = 0
        for digit in word.utf8.prefix(while: BScanf.isDigit) {
            microseconds = microseconds &* 10 &+ Int64(digit - UInt8(ascii: "0"))
        }
        self.microseconds = microseconds
    }
}
