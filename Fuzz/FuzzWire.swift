// libFuzzer entry point for BaculaWire, compiled together with Sources/BaculaWire by scripts/fuzz-wire.
// The first input byte picks a chunk size so the incremental decoder sees arbitrary splits; the rest is the stream.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = input.first else { return 0 }
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
                precondition(bytes.count <= 65_536, "frame beyond the limit")
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
    // The whole input as one raw LZ4 block, too.
    if let output = try? LZ4Block.decompress(Array(stream), limit: 65_536) {
        precondition(output.count <= 65_536, "LZ4 output beyond the limit")
    }
    return 0
}
