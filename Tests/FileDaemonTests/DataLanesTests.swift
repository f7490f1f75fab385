import BaculaVolume
import FileDaemonProtocol
import Foundation
import Testing

@testable import FileDaemon

/// The backup reader's two lanes on real data: compressed packets come back in order and decode to the chunks
/// that went in; a digest fed through the digest lane equals the one computed inline.
@Suite struct DataLanesTests {
    /// Chunks that differ from each other (so an out-of-order packet would not decode to its chunk).
    static func chunks(count: Int, size: Int) -> [[UInt8]] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { index in
            let word = Array("chunk \(index) ".utf8)
            var chunk = (0..<size).map { word[$0 % word.count] }
            for _ in 0..<64 { chunk[Int.random(in: 0..<size, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            return chunk
        }
    }

    @Test(arguments: ["GZIP6", "LZO", "GZIP1 sparse"])
    func compressionLaneKeepsTheOrderAndEachPacketDecodesToItsChunk(_ setting: String) throws {
        var options = FileSetOptions()
        options.compression = setting.hasPrefix("LZO") ? .lzo : .gzip(level: setting.hasPrefix("GZIP1") ? 1 : 6)
        options.sparse = setting.hasSuffix("sparse")
        let stream = options.sparse ? StreamType.sparseGzipData : options.compression == .lzo ? StreamType.compressedData : StreamType.gzipData
        let input = Self.chunks(count: 40, size: 65_528)
        let lane = CompressionLane(options: options, depth: 3)
        var packets: [CompressionLane.Packet] = []
        for (index, chunk) in input.enumerated() {
            packets += lane.submit(chunk, offset: Int64(index * 65_528))
            #expect(packets.count >= index + 1 - 2)  // at most `depth` − 1 stay in flight after a submit
        }
        packets += lane.drain()
        #expect(packets.count == input.count)
        for (index, packet) in packets.enumerated() {
            let bytes = try #require(packet.bytes)
            #expect(packet.readCount == input[index].count)
            let decoded = try FileData.decode(stream: stream, payload: bytes)
            #expect(decoded.bytes == input[index], "packet \(index)")
            #expect(decoded.offset == (options.sparse ? UInt64(index * 65_528) : nil))
        }
    }

    @Test func digestLaneGivesTheSameDigestAsInlineAndKeepsFilesApart() throws {
        let lane = DigestLane(batch: 3, limit: 2)
        for kind in [SignatureKind.md5, .sha256] {
            let files = [Self.chunks(count: 37, size: 65_536), Self.chunks(count: 5, size: 1000)]
            for chunks in files {
                let inline = try #require(Digest(kind))
                let laned = try #require(Digest(kind))
                for chunk in chunks {
                    chunk.withUnsafeBytes { inline.update(UnsafeRawBufferPointer(rebasing: $0[8...])) }
                    lane.update(laned, chunk, 8..<chunk.count)
                }
                #expect(lane.finish(laned) == inline.finish())
            }
        }
    }
}
