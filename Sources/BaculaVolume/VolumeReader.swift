/// What the reader found next on a volume.
public enum VolumeEvent: Sendable {
    /// A good block begins (its records follow as `.record` events).
    case block(BlockHeader, VolumeAddress)
    /// A complete record.
    case record(Record)
    /// A block that failed its header or checksum check; the reader has skipped it and goes on.
    case damagedBlock(VolumeError)
    /// A tape filemark; the reader is now at the start of tape file `file`.
    case filemark(file: UInt32)
}

/// Reads blocks from a `BlockSource`, verifies them and yields records (spec §12a).
/// The buffer starts at `initialBufferSize` and grows (up to the 20,000,000-byte sanity limit) when a block is
/// bigger; damaged blocks are reported with their address and skipped.
public struct VolumeReader<Source: BlockSource> {
    public private(set) var source: Source
    private let storage: ReadBuffer
    private var buffer: UnsafeMutableRawBufferPointer { storage.bytes }
    private var assembler = RecordAssembler()
    private var queue: [VolumeEvent] = []
    private var queueIndex = 0
    private var tapeFile: UInt32 = 0
    private var finished = false
    private var resyncing = false
    /// Verify block checksums (Bacula's `Block Checksum = yes`).
    public var verifyChecksums = true
    /// Number of blocks that failed verification so far.
    public private(set) var damagedBlocks = 0

    public init(source: Source, initialBufferSize: Int = VolumeConstants.defaultBlockSize) {
        self.source = source
        let size = max(VolumeFormat.blockHeaderSize, min(initialBufferSize, VolumeFormat.sanityLimit))
        storage = ReadBuffer(byteCount: size)
    }

    /// Frees the read buffer now rather than when the reader goes away; the reader must not be used afterwards.
    public mutating func close() {
        storage.replace(byteCount: 0)
        finished = true
    }

    /// The partial records waiting for their continuation. A job read across volumes hands it from the reader of
    /// one volume to the reader of the next, so a record split at end of medium reassembles (spec §8.3).
    public var recordAssembler: RecordAssembler {
        get { assembler }
        set { assembler = newValue }
    }

    /// Current buffer size (grows with the largest block seen).
    public var bufferSize: Int { buffer.count }

    /// Positions the medium at `address` and forgets partial records. Returns false if the medium cannot seek.
    public mutating func seek(to address: VolumeAddress) throws -> Bool {
        guard try source.seek(to: address) else { return false }
        assembler.reset()
        queue.removeAll(keepingCapacity: true)
        queueIndex = 0
        if !address.isByteOffset { tapeFile = address.file }
        finished = false
        return true
    }

    /// The next event, or nil at end of data.
    public mutating func next() throws -> VolumeEvent? {
        while true {
            if queueIndex < queue.count {
                defer { queueIndex += 1 }
                return queue[queueIndex]
            }
            queue.removeAll(keepingCapacity: true)
            queueIndex = 0
            if finished { return nil }
            try fill()
        }
    }

    private mutating func grow(to needed: Int) throws {
        let target = min(VolumeFormat.sanityLimit, max(needed, buffer.count * 2))
        guard target > buffer.count else {
            throw VolumeError.badBlockLength(
                address: .offset(0), length: UInt32(clamping: needed), available: buffer.count)
        }
        storage.replace(byteCount: target)
    }

    /// Reads one physical block (or mark) and queues its events.
    private mutating func fill() throws {
        let result = try source.read(into: buffer)
        switch result {
        case .endOfData:
            finished = true
        case .filemark:
            tapeFile &+= 1
            queue.append(.filemark(file: tapeFile))
        case .bufferTooSmall(let needed):
            try grow(to: needed ?? buffer.count * 2)
        case let .data(count, address):
            try decodeBlock(count: count, address: address)
        }
    }

    private mutating func decodeBlock(count: Int, address: VolumeAddress) throws {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        let header: BlockHeader
        do {
            header = try BlockHeader.decode(bytes, address: address)
        } catch let error {
            if case .badBlockLength(_, let length, _) = error, source.isByteStream,
                BlockHeader.peekLength(bytes) != nil, Int(length) > count, count == buffer.count,
                Int(length) < VolumeFormat.sanityLimit
            {
                try grow(to: Int(length))  // a big block on disk: re-read it whole
                try source.advance(by: 0)
                return
            }
            try reportDamage(error, bytes: bytes)
            return
        }
        let length = Int(header.length)
        if length > count {
            if source.isByteStream && count == buffer.count {
                try grow(to: length)
                try source.advance(by: 0)
                return
            }
            try reportDamage(.badBlockLength(address: address, length: header.length, available: count), bytes: bytes)
            return
        }
        if verifyChecksums {
            let computed = BlockChecksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[4..<length]))
            if computed != header.checksum {
                try reportDamage(
                    .checksumMismatch(
                        address: address, blockNumber: header.blockNumber, stored: header.checksum,
                        computed: computed),
                    bytes: bytes, plausibleLength: length)
                return
            }
        }
        if source.isByteStream { try source.advance(by: length) }
        resyncing = false
        queue.append(.block(header, address))
        do {
            try assembler.consume(block: bytes, header: header, address: address) { queue.append(.record($0)) }
        } catch let error as VolumeError {
            queue.append(.damagedBlock(error))
            damagedBlocks += 1
        }
    }

    /// Records a damaged block and moves past it. On byte streams the next block is found by trusting the
    /// header's length when a valid block header follows it, otherwise by scanning forward for one.
    private mutating func reportDamage(
        _ error: VolumeError, bytes: UnsafeRawBufferPointer, plausibleLength: Int? = nil
    ) throws {
        if !resyncing {
            damagedBlocks += 1
            queue.append(.damagedBlock(error))
        }
        guard source.isByteStream else { return }  // tape: the next read returns the next record
        if let length = plausibleLength, length < bytes.count - 16, Self.looksLikeHeader(bytes, at: length) {
            try source.advance(by: length)
            return
        }
        if let length = plausibleLength, length >= bytes.count - 16 {
            try source.advance(by: length)
            return
        }
        var probe = 1
        while probe + 16 <= bytes.count {
            if Self.looksLikeHeader(bytes, at: probe) {
                try source.advance(by: probe)
                return
            }
            probe += 1
        }
        // Nothing in this buffer: continue after it (keep 16 bytes of overlap for a header that straddles).
        resyncing = true
        try source.advance(by: bytes.count < buffer.count ? bytes.count : max(1, bytes.count - 16))
    }

    private static func looksLikeHeader(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard offset + 16 <= bytes.count else { return false }
        let id = BigEndian.u32(bytes, offset + 12)
        guard id == 0x4242_3032 || id == 0x4242_3031 else { return false }
        let length = BigEndian.u32(bytes, offset + 4)
        return length >= 16 && Int(length) < VolumeFormat.sanityLimit
    }
}

/// The reader's block buffer, owned by a class so that it is freed when the last reader holding it goes away, on
/// every path (a reader abandoned after a thrown error included), not only through `close()`.
final class ReadBuffer {
    private(set) var bytes: UnsafeMutableRawBufferPointer

    init(byteCount: Int) { bytes = .allocate(byteCount: byteCount, alignment: 16) }

    /// Frees the buffer and allocates one of `byteCount` bytes (none for 0); the contents are not kept.
    func replace(byteCount: Int) {
        bytes.deallocate()
        bytes = byteCount > 0 ? .allocate(byteCount: byteCount, alignment: 16) : UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit { bytes.deallocate() }
}
