import Catalog
import Director
import Testing

/// Bootstraps built from catalog rows: the captured restore's bootstrap, FileIndex runs, selections across volumes.
@Suite struct BootstrapBuilderTests {
    static func job(_ id: Int64, session: Int64, time: Int64) -> JobRow {
        var job = JobRow()
        job.jobID = id
        job.sessionID = session
        job.sessionTime = time
        return job
    }

    static func media(_ job: Int64, _ volume: String, first: Int64, last: Int64, start: Int64, end: Int64) -> JobMediaRow {
        var row = JobMediaRow(
            jobID: job, mediaID: 1, firstIndex: first, lastIndex: last, startFile: start >> 32, endFile: end >> 32,
            startBlock: start & 0xFFFF_FFFF, endBlock: end & 0xFFFF_FFFF)
        row.volumeName = volume
        row.mediaType = "File"
        return row
    }

    @Test func theCapturedRestoreBootstrap() {
        let text = BootstrapBuilder.text(
            jobs: [Self.job(1, session: 1, time: 1_795_706_784)],
            media: [Self.media(1, "Vol-0001", first: 1, last: 6, start: 210, end: 201_656)], selected: nil,
            storage: "File1", device: "FileStorage")
        #expect(
            text == """
                Storage="File1"
                Volume="Vol-0001"
                MediaType="File"
                Device="FileStorage"
                VolSessionId=1
                VolSessionTime=1795706784
                VolAddr=210-201656
                FileIndex=1-6
                Count=6

                """)
    }

    @Test func selectedFilesAcrossTwoVolumesAndTwoJobs() {
        let text = BootstrapBuilder.text(
            jobs: [Self.job(1, session: 1, time: 100), Self.job(3, session: 3, time: 100)],
            media: [
                Self.media(1, "A", first: 1, last: 5, start: 200, end: 9000),
                Self.media(1, "B", first: 5, last: 10, start: 200, end: 4000),
                Self.media(3, "C", first: 1, last: 6, start: (1 << 32) + 5, end: (2 << 32) + 7),
            ],
            selected: [1: [2, 3, 4, 9], 3: [6]], storage: "S", device: nil)
        #expect(text.components(separatedBy: "Volume=").count == 4)
        #expect(text.contains("Volume=\"A\"\nMediaType=\"File\"\nVolSessionId=1\nVolSessionTime=100\nVolAddr=200-9000\nFileIndex=2-4\nCount=3\n"))
        #expect(text.contains("Volume=\"B\"\nMediaType=\"File\"\nVolSessionId=1\nVolSessionTime=100\nVolAddr=200-4000\nFileIndex=9\nCount=1\n"))
        #expect(text.contains("VolAddr=\((1 << 32) + 5)-\((2 << 32) + 7)\nFileIndex=6\nCount=1\n"))
        #expect(!BootstrapBuilder.text(jobs: [Self.job(1, session: 1, time: 1)], media: [], selected: [1: [1]], storage: "S", device: nil)
            .contains("Volume"))
    }

    @Test(arguments: 0..<50)
    func runsCoverExactlyTheNumbers(seed: Int) {
        var generator = SplitMix(seed: UInt64(seed) &+ 7)
        let numbers = Set((0..<Int(generator.next() % 200)).map { _ in Int64(generator.next() % 300) + 1 }).sorted()
        let runs = BootstrapBuilder.ranges(numbers)
        #expect(runs.flatMap { Array($0) } == numbers)
        for (a, b) in zip(runs, runs.dropFirst()) { #expect(a.upperBound + 1 < b.lowerBound) }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
