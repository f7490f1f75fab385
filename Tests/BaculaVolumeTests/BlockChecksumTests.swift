import BaculaVolume
import CapstanTestSupport
import Testing

/// The folding CRC-32 against zlib's: the same value for every length, alignment and content.
@Suite struct BlockChecksumTests {
    @Test func thisMachineFolds() {
        #if arch(x86_64)
        // Every x86-64 CPU since 2010 has PCLMULQDQ; without it the comparisons below would test zlib against itself.
        #expect(BlockChecksum.foldingAvailable)
        #expect(BlockChecksum.fastest == .folding)
        #endif
    }

    @Test(arguments: BlockChecksum.Method.allCases)
    func checkValue(method: BlockChecksum.Method) {
        let text = Array("123456789".utf8)
        #expect(text.withUnsafeBytes { BlockChecksum.crc32($0, using: method) } == 0xCBF4_3926)
        // 64 bytes and more take the folding path; this is CRC-32 of 1,000 bytes of 'a' (zlib, Python's binascii).
        let long = [UInt8](repeating: 0x61, count: 1000)
        #expect(long.withUnsafeBytes { BlockChecksum.crc32($0, using: method) } == 0x9A38_DA03)
    }

    @Test func everyLengthAndAlignmentMatchesZlib() {
        var rng = SeededRandom(seed: 11)
        let bytes = rng.bytes(8192 + 64)
        bytes.withUnsafeBytes { all in
            for length in 0...1100 {
                let offset = Int(rng.next() % 64)
                let piece = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                let folded = BlockChecksum.crc32(piece, using: .folding)
                let table = BlockChecksum.crc32(piece, using: .zlib)
                #expect(folded == table, "length \(length), offset \(offset)")
                if folded != table { return }
            }
        }
    }

    @Test func wholeBlocksMatchZlib() {
        var rng = SeededRandom(seed: 12)
        for length in [64_512, 1 << 20, (1 << 20) - 4, (1 << 20) + 13] {
            let block = rng.bytes(length)
            block.withUnsafeBytes { raw in
                #expect(BlockChecksum.crc32(raw, using: .folding) == BlockChecksum.crc32(raw, using: .zlib), "length \(length)")
            }
        }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        zeros.withUnsafeBytes { raw in
            #expect(BlockChecksum.crc32(raw, using: .folding) == BlockChecksum.crc32(raw, using: .zlib))
        }
    }
}
