import BaculaVolume
import Testing

/// The real Bacula 9.6.7 file volumes (fixtures README).
@Suite struct FixtureTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var volume: String
        var labelType: LabelType
        var sessionID: UInt32?
        var jobID: UInt32
        var files: UInt32
        var bytes: UInt64
        var blocks: Int
        var testDescription: String { volume }
    }

    static let volumes = [
        Expected(volume: "EmptyVol", labelType: .preLabel, sessionID: nil, jobID: 0, files: 0, bytes: 0, blocks: 1),
        Expected(volume: "PlainVol", labelType: .volumeLabel, sessionID: 1, jobID: 1, files: 8, bytes: 1_149_525, blocks: 19),
        Expected(volume: "CompVol", labelType: .volumeLabel, sessionID: 2, jobID: 2, files: 8, bytes: 2191, blocks: 2),
    ]

    @Test(arguments: volumes)
    func readsLikeBls(_ e: Expected) throws {
        let events = try readAll(MemoryVolume(try Shared.fixture(e.volume)))
        #expect(events.damage.isEmpty)
        #expect(events.blocks.count == e.blocks)
        let records = events.records
        let label = try #require(records.first)
        #expect(label.labelType == e.labelType)
        let volumeLabel = try VolumeLabel(decoding: label.data)
        #expect(volumeLabel.volumeName == e.volume)
        // the label re-encodes byte for byte
        #expect(volumeLabel.encoded() == label.data)
        guard let session = e.sessionID else {
            #expect(records.count == 1)
            return
        }
        let sos = try #require(records.first { $0.labelType == .startOfSession })
        let eos = try #require(records.first { $0.labelType == .endOfSession })
        #expect(sos.sessionID == session && eos.sessionID == session)
        #expect(sos.stream == Int32(e.jobID))
        let start = try SessionLabel(decoding: sos.data, isEnd: false)
        let end = try SessionLabel(decoding: eos.data, isEnd: true)
        #expect(start.encoded() == sos.data && end.encoded() == eos.data)
        #expect(end.jobID == e.jobID)
        #expect(end.totals?.jobFiles == e.files)
        #expect(end.totals?.jobBytes == e.bytes)
        #expect(end.totals?.jobStatus == UInt32(Character("T").asciiValue ?? 0))
        // what we count agrees with what the EOS says
        let fileRecords = records.filter { $0.fileIndex > 0 }
        #expect(UInt64(fileRecords.reduce(0) { $0 + $1.data.count }) == e.bytes)
        let attributes = try fileRecords.filter { $0.streamType == StreamType.unixAttributes }
            .map { try FileAttributes(decoding: $0.data) }
        #expect(attributes.count == Int(e.files))
        #expect(attributes.map(\.fileIndex) == Array(1...Int32(e.files)))
        for (a, r) in zip(attributes, fileRecords.filter { $0.streamType == StreamType.unixAttributes }) {
            #expect(a.encoded() == r.data)
        }
    }

    @Test func plainVolBlockSizesMatchBlsK() throws {
        let blocks = try readAll(MemoryVolume(try Shared.fixture("PlainVol"))).blocks
        #expect(blocks.map { Int($0.0.length) } == [215] + Array(repeating: 64512, count: 17) + [54205])
        #expect(blocks.map(\.0.blockNumber) == Array(0...18).map(UInt32.init))
        #expect(blocks[2].1 == .offset(64727))
    }

    @Test func emptyVolLabelBlockIsReproducedExactly() throws {
        let original = try Shared.fixture("EmptyVol")
        let record = try #require(try readAll(MemoryVolume(original)).records.first)
        let label = try VolumeLabel(decoding: record.data)
        var writer = VolumeWriter(medium: .file)
        let out = Collector()
        try writer.writeLabel(label, type: .preLabel) { out.take($0) }
        #expect(out.bytes == original)
    }

    @Test func compVolFileContents() throws {
        let records = try readAll(MemoryVolume(try Shared.fixture("CompVol"))).records
        var sparse = [UInt8](repeating: 0, count: 1_048_576)
        var chunks = 0
        for r in records where r.fileIndex == 2 && FileData.isDataStream(r.stream) {
            #expect(r.streamType == StreamType.sparseGzipData)
            let chunk = try FileData.decode(stream: r.stream, payload: r.data)
            let offset = Int(try #require(chunk.offset))
            sparse.replaceSubrange(offset..<(offset + chunk.bytes.count), with: chunk.bytes)
            chunks += 1
        }
        #expect(chunks == 2)
        var expected = [UInt8](repeating: 0, count: 1_048_576)
        let pattern = Array(String(repeating: "SPARSEDATA", count: 400).utf8)
        expected.replaceSubrange(524_288..<(524_288 + 4000), with: pattern)
        #expect(sparse == expected)
        let digests = records.filter { StreamType.digestName($0.stream) == "SHA1" }
        #expect(digests.count == 5 && digests.allSatisfy { $0.data.count == 20 })
    }

    @Test(arguments: ["PlainJob-1.bsr", "CompJob-2.bsr", "TapeJob-3.bsr", "TapeLzoJob-4.bsr"])
    func bootstrapFixturesParseAndRoundTrip(_ name: String) throws {
        let text = String(decoding: try Shared.fixture(name), as: UTF8.self)
        let bsr = try Bootstrap(parsing: text)
        #expect(!bsr.entries.isEmpty)
        #expect(try Bootstrap(parsing: bsr.text()) == bsr)
        if name == "TapeJob-3.bsr" {
            #expect(bsr.entries.count == 6)
            #expect(bsr.entries.allSatisfy { $0.sessionIDs == [3...3] && $0.sessionTimes == [1_795_706_802] })
            #expect(bsr.entries[5].volumeAddresses == [21_474_836_480...21_474_836_482])
            #expect(bsr.startAddress(forVolume: "TAPE01") == 1)
        }
        if name == "PlainJob-1.bsr" {
            #expect(bsr.entries[0].volumeAddresses == [215...1_151_123])
            #expect(bsr.entries[0].fileIndexes == [1...8])
        }
    }
}
