import CapstanTestSupport
import BaculaVolume
import Testing

/// Random record streams through the writer and back through the reader.
@Suite struct PropertyTests {
    struct Plan {
        var fileIndex: Int32
        var stream: Int32
        var data: [UInt8]
    }

    static func randomStream(_ rng: inout SeededRandom, count: Int) -> [Plan] {
        (0..<count).map { i in
            let size: Int
            switch rng.next() % 5 {
            case 0: size = 0
            case 1: size = Int(rng.next() % 16)
            case 2: size = Int(rng.next() % 2000)
            default: size = Int(rng.next() % 140_000)
            }
            return Plan(fileIndex: Int32(i / 3 + 1), stream: Int32(1 + rng.next() % 30), data: rng.bytes(size))
        }
    }

    static func write(_ plans: [Plan], blockSize: Int, session: UInt32 = 9) throws -> Collector {
        var writer = BlockWriter(blockSize: blockSize)
        let out = Collector()
        writer.setSession(id: session, time: 1_700_000_000) { out.take(.block($0)) }
        for p in plans {
            try writer.append(fileIndex: p.fileIndex, stream: p.stream, data: p.data) { out.take(.block($0)) }
        }
        writer.flush { out.take(.block($0)) }
        return out
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func recordsRoundTripThroughBlocks(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let blockSize =
            seed == 8 ? 1_048_576 : seed == 7 ? VolumeConstants.defaultBlockSize : 40 + Int(rng.next() % 70_000)
        let plans = Self.randomStream(&rng, count: 60)
        let out = try Self.write(plans, blockSize: blockSize)
        for (medium, events) in [
            ("disk", try readAll(MemoryVolume(out.bytes))),
            ("tape", try readAll(MemoryTape(records: out.tape), bufferSize: 1024)),
        ] {
            #expect(events.damage.isEmpty, "\(medium)")
            let records = events.records
            #expect(records.count == plans.count, "\(medium) block size \(blockSize)")
            let same = zip(records, plans).allSatisfy {
                $0.fileIndex == $1.fileIndex && $0.stream == $1.stream && $0.data == $1.data && $0.sessionID == 9
                    && !$0.isContinuation
            }
            #expect(same, "\(medium): records differ after the round trip")
            let blocks = events.blocks
            #expect(blocks.map(\.0.blockNumber) == (0..<blocks.count).map(UInt32.init))
            #expect(blocks.dropLast().allSatisfy { Int($0.0.length) > blockSize - 12 && Int($0.0.length) <= blockSize })
        }
    }

    /// The hand-over variant (`append(...handOver:)`, each finished block given away with its buffer and a fresh
    /// buffer of the same size taken back, as capstan-sd's direct jobs do with the drive writer's pool) writes the
    /// same bytes as the lending one, padded for tape too; the buffers circulate through a pool of three.
    @Test(arguments: [21, 22, 23])
    func handingBlocksOverWithTheirBuffersWritesTheSameBytes(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let blockSize = seed == 23 ? 1_048_576 : 40 + Int(rng.next() % 70_000)
        let plans = Self.randomStream(&rng, count: 60)
        for padding in [BlockPadding.none, .multiple(1024)] {
            var lending = BlockWriter(blockSize: blockSize, padding: padding)
            var expected: [[UInt8]] = []
            lending.setSession(id: 9, time: 1_700_000_000) { expected.append(Array($0)) }
            var handing = BlockWriter(blockSize: blockSize, padding: padding)
            let capacity = handing.bufferCapacity
            var pool = (0..<3).map { _ in
                UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: BlockWriter.bufferAlignment)
            }
            defer { for b in pool { b.deallocate() } }
            var got: [[UInt8]] = []
            handing.setSession(id: 9, time: 1_700_000_000) { got.append(Array($0)) }
            let handOver = { (full: UnsafeMutableRawBufferPointer, count: Int) -> UnsafeMutableRawBufferPointer in
                got.append(Array(UnsafeRawBufferPointer(rebasing: full[0..<count])))
                full.initializeMemory(as: UInt8.self, repeating: 0xA5)  // the receiver owns it now
                pool.append(full)
                return pool.removeFirst()
            }
            for p in plans {
                try lending.append(fileIndex: p.fileIndex, stream: p.stream, data: p.data) { expected.append(Array($0)) }
                try p.data.withUnsafeBytes {
                    try handing.append(fileIndex: p.fileIndex, stream: p.stream, data: $0, handOver: handOver)
                }
            }
            lending.flush { expected.append(Array($0)) }
            try handing.flush(handOver: handOver)
            #expect(got.count == expected.count && got.count > 1, "block size \(blockSize)")
            #expect(got == expected, "block size \(blockSize), \(padding)")
        }
    }

    /// Records written in place (`inPlaceSpace` then `commitInPlace`, as capstan-sd receives record data straight
    /// into the block) wherever they fit, and appended where they do not, make the same bytes as appending every
    /// record; the space offered is exactly the record's and lies right behind its header.
    @Test(arguments: [31, 32, 33])
    func recordsWrittenInPlaceWhereTheyFitMakeTheSameBlocks(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let blockSize = seed == 33 ? 1_048_576 : 40 + Int(rng.next() % 70_000)
        let plans = Self.randomStream(&rng, count: 80)
        for padding in [BlockPadding.none, .multiple(1024)] {
            var appending = BlockWriter(blockSize: blockSize, padding: padding)
            var expected: [[UInt8]] = []
            appending.setSession(id: 9, time: 1_700_000_000) { expected.append(Array($0)) }
            var inPlace = BlockWriter(blockSize: blockSize, padding: padding)
            var got: [[UInt8]] = []
            inPlace.setSession(id: 9, time: 1_700_000_000) { got.append(Array($0)) }
            let handOver = { (full: UnsafeMutableRawBufferPointer, count: Int) -> UnsafeMutableRawBufferPointer in
                got.append(Array(UnsafeRawBufferPointer(rebasing: full[0..<count])))
                return full
            }
            var written = 0
            for p in plans {
                try appending.append(fileIndex: p.fileIndex, stream: p.stream, data: p.data) { expected.append(Array($0)) }
                if let space = inPlace.inPlaceSpace(count: p.data.count) {
                    #expect(space.count == p.data.count)
                    #expect(inPlace.room >= 12 + p.data.count)
                    p.data.withUnsafeBytes { space.copyMemory(from: $0) }
                    try inPlace.commitInPlace(fileIndex: p.fileIndex, stream: p.stream, count: p.data.count, handOver: handOver)
                    written += 1
                } else {
                    #expect(inPlace.room < 12 + p.data.count)
                    try p.data.withUnsafeBytes {
                        try inPlace.append(fileIndex: p.fileIndex, stream: p.stream, data: $0, handOver: handOver)
                    }
                }
            }
            appending.flush { expected.append(Array($0)) }
            try inPlace.flush(handOver: handOver)
            #expect(written > plans.count / 3, "block size \(blockSize)")
            #expect(got == expected, "block size \(blockSize), \(padding)")
        }
    }

    @Test(arguments: [11, 12, 13, 14])
    func flippedBitIsReportedWithItsAddressAndReadingGoesOn(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let blockSize = 1024 + Int(rng.next() % 8192)
        // small records so that most records lie within one block
        let plans = (0..<400).map { i in
            Plan(fileIndex: Int32(i + 1), stream: 2, data: rng.bytes(Int(rng.next() % 300)))
        }
        let out = try Self.write(plans, blockSize: blockSize)
        let clean = try readAll(MemoryVolume(out.bytes))
        let blocks = clean.blocks
        #expect(blocks.count > 4)
        let victim = 1 + Int(rng.next() % UInt64(blocks.count - 2))
        let start = Int(blocks[victim].1.rawValue)
        let length = Int(blocks[victim].0.length)
        let bit = Int(rng.next() % UInt64((length - 4) * 8))  // anywhere but the CRC field
        var damaged = out.bytes
        damaged[start + 4 + bit / 8] ^= UInt8(1 << (bit % 8))
        var tape = out.tape
        tape[victim]?[4 + bit / 8] ^= UInt8(1 << (bit % 8))

        let cleanTape = try readAll(MemoryTape(records: out.tape))
        for (medium, events, reference) in [
            ("disk", try readAll(MemoryVolume(damaged)), clean),
            ("tape", try readAll(MemoryTape(records: tape)), cleanTape),
        ] {
            let damage = events.damage
            #expect(damage.count == 1, "\(medium)")
            let expectedAddress: VolumeAddress =
                medium == "disk" ? .offset(UInt64(start)) : .tape(file: 0, block: UInt32(victim))
            switch damage.first {
            case .checksumMismatch(let address, _, _, _)?, .badBlockLength(let address, _, _)?, .badBlockID(let address, _)?:
                #expect(address == expectedAddress, "\(medium)")
            default:
                Issue.record("\(medium): unexpected \(String(describing: damage.first))")
            }
            // every block after the damaged one is still read
            let after = events.blocks.filter { $0.1 > expectedAddress }
            #expect(after.count == blocks.count - victim - 1, "\(medium)")
            // records that start after the damaged block are all delivered intact
            let later = reference.records.filter { $0.address > expectedAddress }
            let got = events.records.filter { $0.address > expectedAddress && !$0.isContinuation }
            #expect(got.count == later.count, "\(medium): \(got.first?.fileIndex ?? 0) vs \(later.first?.fileIndex ?? 0)")
            #expect(got == later, "\(medium): records after the damaged block differ")
        }
    }

    @Test func sessionLabelsAreNeverSplitAndHeadersNeverSplit() throws {
        var writer = VolumeWriter(medium: .file, blockSize: 400)
        let out = Collector()
        let sos = SessionLabel(
            jobID: 5, writeTime: 0, poolName: "P", jobName: "J", clientName: "C", job: "J.1", fileSetName: "F")
        try writer.beginSession(sos, sessionID: 1, sessionTime: 2) { out.take($0) }
        var rng = SeededRandom(seed: 99)
        for i in 1...50 {
            try writer.append(fileIndex: Int32(i), stream: 2, data: rng.bytes(Int(rng.next() % 500))) { out.take($0) }
        }
        let eos = try writer.endSession { out.take($0) }
        let events = try readAll(MemoryVolume(out.bytes))
        let records = events.records
        #expect(records.count == 52)
        #expect(records.first?.labelType == .startOfSession)
        #expect(records.last?.labelType == .endOfSession)
        #expect(try SessionLabel(decoding: records.last?.data ?? [], isEnd: true) == eos)
        #expect(eos.totals?.jobFiles == 50)
        #expect(eos.totals?.jobBytes == UInt64(records.dropFirst().dropLast().reduce(0) { $0 + $1.data.count }))
    }
}
