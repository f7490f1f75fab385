import CapstanTestSupport
import BaculaWire
import Testing

/// Every packet of both saved captures, decoded by `PacketDecoder` (LZ4 packets through liblz4), rendered the way
/// the reference decoder renders them, must equal the transcript line for line, per connection and direction.
@Suite struct CaptureDecodingTests {
    @Test(arguments: Capture.allCases)
    func everyPacketMatchesTheTranscript(capture: Capture) throws {
        let transcript = try capture.transcriptLines()
        let connections = try capture.connections()
        #expect(!connections.isEmpty)
        var packetCount = 0
        var compressedCount = 0
        for connection in connections {
            let directions = [
                ("C->S", connection.clientToServerAsCaptured), ("S->C", connection.serverToClientAsCaptured),
            ]
            for (direction, bytes) in directions {
                let key = "s\(connection.index) \(direction)"
                let packets = try Self.packets(bytes)
                packetCount += packets.count
                compressedCount += packets.filter(\.isCompressed).count
                #expect(try packets.map(Self.render) == transcript[key, default: []], "\(key)")
            }
        }
        let transcriptCount = transcript.values.reduce(0) { $0 + $1.count }
        #expect(packetCount == transcriptCount)
        #expect(compressedCount > 0)
    }

    /// The transcript (like its reference decoder) concatenates TCP payloads in capture order, so a retransmitted
    /// segment appears twice there. Reassembled by sequence number, each stream must give the same packets with at
    /// most those retransmitted copies missing.
    @Test(arguments: Capture.allCases)
    func sequenceReassemblyDropsOnlyRetransmissions(capture: Capture) throws {
        for connection in try capture.connections() {
            let pairs = [
                (connection.clientToServer, connection.clientToServerAsCaptured),
                (connection.serverToClient, connection.serverToClientAsCaptured),
            ]
            for (reassembled, asCaptured) in pairs {
                let ordered = try Self.packets(reassembled).map(\.body)
                let captured = try Self.packets(asCaptured).map(\.body)
                var index = captured.startIndex
                for body in ordered {  // `ordered` is a subsequence of `captured`
                    guard let found = captured[index...].firstIndex(of: body) else {
                        Issue.record("stream \(connection.index): packet missing from the capture-order decode")
                        return
                    }
                    index = found + 1
                }
                #expect(ordered.count <= captured.count)
                if reassembled == asCaptured { #expect(ordered == captured) }
            }
        }
    }

    static func packets(_ bytes: [UInt8]) throws -> [Packet] {
        var decoder = PacketDecoder()
        decoder.append(bytes)
        var packets: [Packet] = []
        while let packet = try decoder.nextPacket() { packets.append(packet) }
        try decoder.finish()
        return packets
    }

    /// The same streams fed in small, irregular chunks give the same frames as one whole chunk.
    @Test(arguments: Capture.allCases)
    func chunkingDoesNotChangeFrames(capture: Capture) throws {
        var rng = SeededRandom(seed: 0xC0FFEE)
        for connection in try capture.connections() {
            for bytes in [connection.clientToServer, connection.serverToClient] {
                var whole = PacketDecoder()
                whole.append(bytes)
                var expected: [Frame] = []
                while let frame = try whole.nextFrame() { expected.append(frame) }
                var pieces = PacketDecoder()
                var frames: [Frame] = []
                var position = 0
                while position < bytes.count {
                    let size = min(bytes.count - position, 1 + Int(rng.next() % 700))
                    pieces.append(bytes[position..<position + size])
                    position += size
                    while let frame = try pieces.nextFrame() { frames.append(frame) }
                }
                #expect(frames == expected)
                #expect(pieces.bufferedByteCount == 0)
            }
        }
    }

    /// Renders a packet as the reference decoder does (`decode.py --maxdata 160`).
    static func render(_ packet: Packet) throws -> String {
        switch packet.body {
        case .signal(let signal):
            return "SIGNAL \(signal.rawValue) \(signal.name ?? "?")"
        case .payload(let bytes, let flags, let extended):
            var description = "LEN \(bytes.count)"
            if let extended { description += " FLAGS \(extended.rawValue)" }
            var body = bytes
            if flags.contains(.compressed) {
                body = try LZ4Block.decompress(bytes)
                description += " LZ4(\(bytes.count)->\(body.count))"
            }
            return description + " : " + printable(body, limit: 160)
        }
    }

    static func printable(_ bytes: [UInt8], limit: Int) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            if byte == 10 {
                text += "\\n"
            } else if byte >= 32 && byte < 127 {
                text.append(Character(UnicodeScalar(byte)))
            } else {
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        if bytes.count > limit { text += "...(+\(bytes.count - limit) bytes)" }
        return text
    }
}
