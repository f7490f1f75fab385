import BaculaWire
import CapstanTestSupport
import Testing

/// `PacketDecoder.decode` (whole packets taken straight from the received bytes) gives exactly what `append` +
/// `nextFrame` give: the same messages, in order, whatever the chunk boundaries, with signals, LZ4-compressed and
/// extended-header packets mixed in, and the same error at the same point.
@Suite struct DecoderFastPathTests {
    static func stream(_ rng: inout SeededRandom) throws -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<300 {
            switch rng.next() % 6 {
            case 0: out += try FrameEncoder.encode(.signal(.endOfData))
            case 1: out += try FrameEncoder.encode(.payload(Array(repeating: 0x41, count: Int(rng.next() % 5000))), compress: true)
            case 2: out += [0x20, 0, 0, 3, 0x10, 0, 0, 0] + Array("abc".utf8)  // extended header
            default: out += try FrameEncoder.encode(.payload(rng.bytes(Int(rng.next() % 70_000))))
            }
        }
        return out
    }

    static func chunks(_ bytes: [UInt8], _ rng: inout SeededRandom) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let size = [1, 3, 4, 7, 4096, 65_536, 200_000][Int(rng.next() % 7)]
            out.append(Array(bytes[start..<min(bytes.count, start + size)]))
            start += size
        }
        return out
    }

    static func slowPath(_ chunks: [[UInt8]]) -> (frames: [Frame], error: WireError?) {
        var decoder = PacketDecoder()
        var frames: [Frame] = []
        do {
            for chunk in chunks {
                decoder.append(chunk)
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            }
            try decoder.finish()
        } catch { return (frames, error as? WireError) }
        return (frames, nil)
    }

    static func fastPath(_ chunks: [[UInt8]]) -> (frames: [Frame], error: WireError?) {
        var decoder = PacketDecoder()
        var frames: [Frame] = []
        do {
            for chunk in chunks {
                try chunk.withUnsafeBytes { bytes in try decoder.decode(bytes) { frames.append($0) } }
            }
            try decoder.finish()
        } catch { return (frames, error as? WireError) }
        return (frames, nil)
    }

    /// `decode` and `append` + `nextFrame` taking turns on one decoder (a payload half filled in place included).
    static func mixedPath(_ chunks: [[UInt8]]) -> (frames: [Frame], error: WireError?) {
        var decoder = PacketDecoder()
        var frames: [Frame] = []
        do {
            for (index, chunk) in chunks.enumerated() {
                if index % 3 == 2 {
                    decoder.append(chunk)
                    while let frame = try decoder.nextFrame() { frames.append(frame) }
                } else {
                    try chunk.withUnsafeBytes { bytes in try decoder.decode(bytes) { frames.append($0) } }
                }
            }
            try decoder.finish()
        } catch { return (frames, error as? WireError) }
        return (frames, nil)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func fastPathEqualsAppendAndNextFrame(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var bytes = try Self.stream(&rng)
        if seed == 4 || seed == 7 { bytes += [0x00, 0x0F, 0x42, 0x41] + [0, 0, 0] }  // a header over the limit: an error
        if seed == 5 || seed == 8 { bytes.removeLast(10) }  // ends inside a packet
        let chunks = Self.chunks(bytes, &rng)
        let slow = Self.slowPath(chunks)
        let fast = Self.fastPath(chunks)
        #expect(fast.frames.count == slow.frames.count)
        #expect(fast.frames == slow.frames)
        #expect(fast.error == slow.error, "\(String(describing: fast.error)) / \(String(describing: slow.error))")
        let mixed = Self.mixedPath(chunks)
        #expect(mixed.frames == slow.frames)
        #expect(mixed.error == slow.error, "\(String(describing: mixed.error)) / \(String(describing: slow.error))")
        #expect((slow.error != nil) == [4, 5, 7, 8].contains(seed))
    }
}
