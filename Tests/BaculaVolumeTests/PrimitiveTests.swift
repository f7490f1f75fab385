import CapstanTestSupport
import BaculaVolume
import Testing

@Suite struct PrimitiveTests {
    @Test func crcCheckValue() {
        #expect(BlockChecksum.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test(arguments: [("IGk", 33188), ("N", 13), ("BAA", 4096), ("Blk30l", 1_704_164_645), ("P4A", 65024), ("A", 0)])
    func base64Examples(text: String, value: Int64) {
        #expect(BaculaBase64.decode(text) == value)
        #expect(BaculaBase64.encode(value) == text)
    }

    @Test func base64RoundTrip() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let v = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63)
            #expect(BaculaBase64.decode(BaculaBase64.encode(v)) == v)
        }
        #expect(BaculaBase64.encode(-5) == "-F")
        #expect(BaculaBase64.decode(BaculaBase64.encode(.min)) == .min)
        #expect(BaculaBase64.decode(BaculaBase64.encode(.max)) == .max)
    }

    /// Found by the `volume` fuzz campaign: a negative field whose digits reach 2^63 trapped in the negation.
    @Test func base64FieldsBeyond64BitsWrapInsteadOfTrapping() throws {
        #expect(BaculaBase64.decode("-IAAAAAAAAAA") == .min)
        #expect(BaculaBase64.decode("BAAAAAAAAAAA") == 0)  // 2^66: only the low 64 bits are kept
        #expect(BaculaBase64.decode("-////////////") == 1)
        let stat = try EncodedStat(decoding: ArraySlice("-IAAAAAAAAAA A A A A A A -////////////// A A A A A".utf8))
        #expect(stat.device == .min && stat.size == 1)
    }

    @Test func gzipRoundTrip() throws {
        var rng = SeededRandom(seed: 3)
        let content = rng.bytes(1000) + [UInt8](repeating: 7, count: 200_000)
        let payload = try FileData.gzipPayload(content)
        #expect(payload.prefix(1) == [0x78])
        #expect(try FileData.decode(stream: StreamType.gzipData, payload: payload).bytes == content)
        let sparse = FileData.sparsePayload(offset: 123_456, body: payload)
        let chunk = try FileData.decode(stream: StreamType.sparseGzipData, payload: sparse)
        #expect(chunk.offset == 123_456)
        #expect(chunk.bytes == content)
    }

    @Test func lzoRoundTrip() throws {
        var rng = SeededRandom(seed: 4)
        let content = rng.bytes(5000) + [UInt8](repeating: 1, count: 70_000)
        let payload = try FileData.lzoPayload(content)
        #expect(Array(payload.prefix(4)) == Array("LZOX".utf8))
        #expect(try FileData.decode(stream: StreamType.compressedData, payload: payload).bytes == content)
        let sparse = try FileData.decode(
            stream: StreamType.sparseCompressedData, payload: FileData.sparsePayload(offset: 9, body: payload))
        #expect(sparse.offset == 9 && sparse.bytes == content)
    }

    @Test func corruptCompressedDataIsAnError() throws {
        var payload = try FileData.gzipPayload(Array(repeating: 5, count: 1000))
        payload.removeLast(4)
        #expect(throws: VolumeError.self) { try FileData.decode(stream: StreamType.gzipData, payload: payload) }
        var lzo = try FileData.lzoPayload(Array(repeating: 5, count: 1000))
        lzo[5] = 0xFF  // length beyond the record
        #expect(throws: VolumeError.self) { try FileData.decode(stream: StreamType.compressedData, payload: lzo) }
    }

    @Test func attributesRoundTrip() throws {
        var stat = EncodedStat()
        stat.mode = 0o100644
        stat.size = 13
        stat.modificationTime = 1_704_164_645
        stat.linkFileIndex = 3
        stat.dataStream = 2
        let a = FileAttributes(fileIndex: 7, type: .hardLinkSaved, name: "/a/b", stat: stat, link: "/a/c")
        let decoded = try FileAttributes(decoding: a.encoded())
        #expect(decoded == a)
        #expect(throws: VolumeError.self) { try FileAttributes(decoding: Array("7 1 /a/b".utf8)) }
    }

    @Test func bootstrapRangesAndErrors() throws {
        let b = try Bootstrap(parsing: "volume=\"A|B\" # c\nVolSessionId=1-3,7\nFileIndex=5\nVolAddr=10-20\n")
        #expect(b.entries.count == 1)
        #expect(b.entries[0].volumes == ["A", "B"])
        #expect(b.entries[0].sessionIDs == [1...3, 7...7])
        #expect(b.entries[0].fileIndexes == [5...5])
        #expect(b.startAddress(forVolume: "B") == 10)
        #expect(throws: VolumeError.self) { try Bootstrap(parsing: "Volume=A\nFrobnicate=1\n") }
        #expect(throws: VolumeError.self) { try Bootstrap(parsing: "Volume=A\nVolAddr=9-3\n") }
    }
}
