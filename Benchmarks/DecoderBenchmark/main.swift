import BaculaWire

// Instruction counts of the bsock inbound decoding (run under `valgrind --tool=callgrind`): 256 MiB of 64 KiB data
// packets, as a restore receives them, fed in 64 KiB chunks that do not line up with the packets.
// `DecoderBenchmark copy` : `append` + `nextFrame` (the bytes copied into the decoder's buffer, then out of it).
// `DecoderBenchmark direct`: `decode` (whole packets copied once, straight from the received bytes).
// `DecoderBenchmark none`  : the set-up alone (to subtract).
let mode = CommandLine.arguments.dropFirst().first ?? "copy"
let direct = mode == "direct"
var generator = SystemRandomNumberGenerator()
let payload = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
var stream: [UInt8] = []
for _ in 0..<64 { stream += (try? FrameEncoder.encode(.payload(payload))) ?? [] }  // 4 MiB, repeated 64 times
var decoder = PacketDecoder()
var frames = 0
var bytes = 0
for _ in 0..<(mode == "none" ? 0 : 64) {
    var start = 0
    while start < stream.count {
        let end = min(stream.count, start + 65_536)
        stream.withUnsafeBytes { raw in
            let chunk = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            if direct {
                try? decoder.decode(chunk) { frame in
                    frames += 1
                    bytes += frame.payload?.count ?? 0
                }
            } else {
                decoder.append(chunk)
                while let frame = try? decoder.nextFrame() {
                    frames += 1
                    bytes += frame.payload?.count ?? 0
                }
            }
        }
        start = end
    }
}
print("\(mode): \(frames) frames, \(bytes) bytes")
