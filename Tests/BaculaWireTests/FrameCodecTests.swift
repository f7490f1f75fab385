import CapstanTestSupport
import BaculaWire
import Testing

@Suite struct FrameCodecTests {
    @Test func signalsAndNames() throws {
        #expect(try FrameEncoder.encode(.signal(.endOfData)) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try FrameEncoder.encode(.signal(.heartbeat)) == [0xFF, 0xFF, 0xFF, 0xFA])
        #expect(Signal.heartbeat.name == "BNET_HEARTBEAT" && Signal.heartbeat.isHeartbeat)
        #expect(Signal.fileDaemonCalled.name == "BNET_FDCALLED")
        #expect(Signal(rawValue: -31)?.name == nil)
        #expect(Signal(rawValue: 0) == nil)
        var decoder = PacketDecoder()
        decoder.append([0xFF, 0xFF, 0xFF, 0xE1, 0xFF, 0xFF, 0xFF, 0xFC])
        #expect(try decoder.nextFrame() == .signal(Signal(rawValue: -31)!))
        #expect(try decoder.nextFrame() == .signal(.terminate))
        #expect(try decoder.nextFrame() == nil)
    }

    /// A header's bytes are the first four the encoder writes for its frame, and decode to the same header.
    @Test func aHeadersBytesAreTheEncodersAndDecodeBack() throws {
        for frame: Frame in [.signal(.endOfData), .signal(.heartbeat), .payload([]), .payload([1, 2, 3]), .text("3000 OK data\n")] {
            let encoded = try FrameEncoder.encode(frame)
            let word = encoded.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let header = PacketHeader(rawValue: Int32(bitPattern: word))
            #expect(header.bytes == Array(encoded.prefix(4)))
        }
        let flagged = PacketHeader.payload(length: 70_000, flags: .extended)
        #expect(PacketHeader(rawValue: Int32(bitPattern: flagged.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })) == flagged)
    }

    @Test func plainPayloadBytes() throws {
        let hello = Array("Hello *UserAgent* calling 100\n".utf8)
        #expect(try FrameEncoder.encode(.payload(hello)) == [0, 0, 0, 0x1E] + hello)
        #expect(try FrameEncoder.encode(.payload([])) == [0, 0, 0, 0])
        var decoder = PacketDecoder()
        decoder.append([0, 0, 0, 0])
        #expect(try decoder.nextFrame() == .payload([]))
    }

    /// §1.4: a receiver skips the flags word of an extended header; the header length excludes it.
    @Test func extendedHeaderIsSkipped() throws {
        var decoder = PacketDecoder()
        decoder.append([0x20, 0, 0, 3, 0x10, 0, 0, 0] + Array("abc".utf8))
        let packet = try #require(try decoder.nextPacket())
        #expect(packet.body == .payload(bytes: Array("abc".utf8), flags: .extended, extendedFlags: .isCommand))
        #expect(try packet.frame() == .payload(Array("abc".utf8)))
    }

    /// §1.3: a length over 1,000,000 is a typed error as soon as the header is complete; exactly the limit is fine.
    /// Flag bits are not length: 0x7FFFFFFF is compressed + extended with a length of 0x1FFFFFFF.
    @Test(arguments: [1_000_001, 0x1FFF_FFFF, 0x3FFF_FFFF, 0x7FFF_FFFF])
    func oversizeLengthIsAnError(header: Int) throws {
        let length = header & 0x1FFF_FFFF
        var decoder = PacketDecoder()
        decoder.append([0, 0, 0, 5] + Array("hello".utf8))
        decoder.append(withUnsafeBytes(of: UInt32(header).bigEndian, Array.init))
        #expect(try decoder.nextFrame() == .payload(Array("hello".utf8)))
        #expect(throws: WireError.frameTooLarge(length: length, streamOffset: 9)) { try decoder.nextFrame() }
        #expect(decoder.bufferedByteCount == 4)
        #expect(throws: WireError.frameTooLarge(length: length, streamOffset: 9)) { try decoder.nextFrame() }
        #expect(throws: WireError.outgoingFrameTooLarge(length: 1_000_001)) {
            try FrameEncoder.encode(.payload([UInt8](repeating: 0, count: 1_000_001)))
        }
    }

    @Test func exactLimitIsAccepted() throws {
        var decoder = PacketDecoder()
        let payload = [UInt8](repeating: 0x41, count: WireLimits.maximumFrameLength)
        decoder.append(try FrameEncoder.encode(.payload(payload)))
        #expect(try decoder.nextFrame() == .payload(payload))
    }

    @Test func truncatedStreamIsReported() throws {
        var decoder = PacketDecoder()
        decoder.append([0, 0, 0, 9, 0x41])
        #expect(try decoder.nextFrame() == nil)
        #expect(throws: WireError.truncatedPacket(buffered: 5, streamOffset: 0)) { try decoder.finish() }
    }

    /// §1.5 sender rule: payloads of 20 bytes or less, or that do not save 10 bytes, go plain; others as LZ4 blocks
    /// that decode back to the original.
    @Test(arguments: [0, 20, 21, 30, 101, 4096, 65_536])
    func compressionRoundTrip(size: Int) throws {
        let repetitive = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 7) }
        var rng = SeededRandom(seed: UInt64(size))
        let random = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for payload in [repetitive, random] {
            let packet = try FrameEncoder.encode(.payload(payload), compress: true)
            let header = UInt32(packet[0]) << 24 | UInt32(packet[1]) << 16 | UInt32(packet[2]) << 8 | UInt32(packet[3])
            let compressed = header & HeaderFlags.compressed.rawValue != 0
            if size <= 20 { #expect(!compressed) }
            if compressed { #expect(packet.count - 4 + 10 <= size) }
            var decoder = PacketDecoder()
            decoder.append(packet)
            #expect(try decoder.nextFrame() == .payload(payload))
        }
        if size >= 101 {
            #expect(try FrameEncoder.encode(.payload(repetitive), compress: true).count < size)
        }
    }

    @Test func malformedAndExplosiveLZ4AreTypedErrors() throws {
        #expect(throws: LZ4Block.DecodeError.malformed(offset: 0)) { try LZ4Block.decompress([]) }
        // A match with offset 0, and a match reaching before the start of the output.
        #expect(throws: LZ4Block.DecodeError.self) { try LZ4Block.decompress([0x14, 0x41, 0x00, 0x00, 0x00]) }
        #expect(throws: LZ4Block.DecodeError.self) { try LZ4Block.decompress([0x14, 0x41, 0x05, 0x00, 0x00]) }
        // 1 literal then a match of 4 + 15 + 255*n bytes: expands far past a small limit, refused before allocating.
        let bomb: [UInt8] = [0x1F, 0x41, 0x01, 0x00] + [UInt8](repeating: 0xFF, count: 5000) + [0x00, 0x00]
        #expect(throws: LZ4Block.DecodeError.tooLarge(limit: 1_000_000)) { try LZ4Block.decompress(bomb) }
        var decoder = PacketDecoder()
        decoder.append([0x40, 0, UInt8(bomb.count >> 8), UInt8(bomb.count & 0xFF)] + bomb)
        #expect(throws: WireError.decompressedFrameTooLarge(compressedLength: bomb.count, streamOffset: 0)) {
            try decoder.nextFrame()
        }
    }

    /// §1.5 table: who compresses towards whom, from the peer's announced version.
    @Test func compressionPolicy() {
        #expect(!CommCompression.allowed(sender: .director, receiver: .fileDaemon, peerVersion: 213))
        #expect(CommCompression.allowed(sender: .director, receiver: .fileDaemon, peerVersion: 214))
        #expect(CommCompression.allowed(sender: .director, receiver: .storageDaemon, peerVersion: 1))
        #expect(!CommCompression.allowed(sender: .storageDaemon, receiver: .fileDaemon, peerVersion: 0))
        #expect(!CommCompression.allowed(sender: .console, receiver: .director, peerVersion: 102))
        #expect(CommCompression.allowed(sender: .console, receiver: .director, peerVersion: 103))
        #expect(!CommCompression.allowed(sender: .fileDaemon, receiver: .storageDaemon, peerVersion: 0))
    }
}
