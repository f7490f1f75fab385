import CapstanConfig
import Testing

@Suite struct QuantitiesTests {
    @Test(arguments: [
        ("1048576", UInt64(1_048_576)), ("1G", 1_073_741_824), ("1g", 1_073_741_824), ("500 MB", 500_000_000),
        ("500MB", 500_000_000), ("64k", 65_536), ("1kb", 1_000), ("1.5 m", 1_572_864), ("2T", 2_199_023_255_552),
        ("800G", 858_993_459_200),
    ])
    func sizes(text: String, bytes: UInt64) {
        #expect(Quantities.size(text) == bytes)
    }

    @Test(arguments: ["", "G", "12 parsecs", "1b", "-5", "1,000"])
    func badSizes(text: String) {
        #expect(Quantities.size(text) == nil)
    }

    @Test(arguments: [
        ("300", Int64(300)), ("5 min", 300), ("5 mins", 300), ("1 day 2 hours", 93_600), ("6 months", 15_552_000),
        ("1m", 2_592_000), ("2 n", 120), ("60 days", 5_184_000), ("1 year", 31_536_000), ("2w", 1_209_600),
        ("1 quarter", 7_862_400), ("1 days 3", 86_403), ("30 sec", 30),
    ])
    func durations(text: String, seconds: Int64) {
        #expect(Quantities.duration(text) == seconds)
    }

    @Test(arguments: ["secs", "1 hr", "soon", "1 day, 2 hours"])
    func badDurations(text: String) {
        #expect(Quantities.duration(text) == nil)
    }

    @Test func speeds() {
        #expect(Quantities.speed("10 mb/s") == 10_000_000)
        #expect(Quantities.speed("500k/s") == 512_000)
    }
}
