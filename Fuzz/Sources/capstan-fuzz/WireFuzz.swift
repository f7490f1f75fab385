import BaculaWire

/// The bsock packet decoder fed in chunks of a size the first byte picks (so every split of a stream is tried),
/// every frame offered to the hello, challenge and welcome parsers; and the whole input as one raw LZ4 block.
enum WireFuzz {
    static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let stream = input.dropFirst()
        let chunk = Int(first) + 1
        var decoder = PacketDecoder(limit: 65_536)
        var position = stream.startIndex
        decoding: while position < stream.endIndex {
            let end = min(stream.endIndex, position + chunk)
            decoder.append(stream[position..<end])
            position = end
            do {
                while let frame = try decoder.nextFrame() {
                    guard let bytes = frame.payload else { continue }
                    precondition(bytes.count <= 65_536, "a frame beyond the decoder's limit")
                    _ = try? ConsoleHello(parsing: bytes)
                    _ = try? FileDaemonIncomingHello(parsing: bytes)
                    _ = try? StorageDaemonIncomingHello(parsing: bytes)
                    _ = WelcomeLine(parsing: bytes)
                    _ = ChallengeLine(parsing: bytes)
                }
            } catch {
                break decoding
            }
        }
        if let output = try? LZ4Block.decompress(Array(stream), limit: 65_536) {
            precondition(output.count <= 65_536, "LZ4 output beyond the limit")
        }
    }
}
