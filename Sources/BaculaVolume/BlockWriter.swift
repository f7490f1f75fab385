/// How a written block is padded on the medium (spec §3.3).
public enum BlockPadding: Equatable, Sendable {
    /// File volumes: exactly `block_len` bytes.
    case none
    /// Tapes: zero-padded to the next multiple of `multiple` (1024 for Bacula).
    case multiple(Int)
    /// Fixed-block tapes: always the full block size.
    case fixed
}

/// Packs records into BB02 blocks of a fixed buffer size (spec §4.2 writer rules, §12b).
/// One reusable buffer; a block is handed to the sink as soon as it is full, then the buffer is reused. The block
/// handed over starts at the buffer's start, which is aligned to `bufferAlignment`, and the buffer holds
/// `bufferCapacity` bytes (a multiple of `bufferAlignment`), so a sink may write the block rounded up to that
/// alignment straight from it (O_DIRECT); the bytes past the block are left from earlier blocks.
/// Record headers are never split; session labels are never split; continuation pieces carry the negated stream
/// and the remaining length; block numbers count on from `nextBlockNumber`.
public struct BlockWriter: ~Copyable {
    /// The block (buffer) size: Maximum Block Size.
    public let blockSize: Int
    public let padding: BlockPadding
    /// The number the next written block gets.
    public var nextBlockNumber: UInt32 = 0
    /// Session of the records being written (block header fields).
    public private(set) var sessionID: UInt32 = 0
    public private(set) var sessionTime: UInt32 = 0
    /// The alignment of the buffer's address and size.
    public static let bufferAlignment = 4096
    /// Bytes in the buffer (at least the largest block with its padding).
    public var bufferCapacity: Int { buffer.count }
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = VolumeFormat.blockHeaderSize

    /// `blockSize` must be at least 24 + 12 + 1 bytes.
    public init(blockSize: Int = VolumeConstants.defaultBlockSize, padding: BlockPadding = .none) {
        self.blockSize = max(blockSize, VolumeFormat.blockHeaderSize + VolumeFormat.recordHeaderSize + 1)
        self.padding = padding
        var capacity = self.blockSize
        if case .multiple(let m) = padding, m > 0 { capacity = (capacity + m - 1) / m * m }
        let a = Self.bufferAlignment
        buffer = .allocate(byteCount: (capacity + a - 1) / a * a, alignment: a)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// True when no record is waiting in the buffer.
    public var isEmpty: Bool { used == VolumeFormat.blockHeaderSize }
    /// Bytes still free in the current block.
    public var room: Int { blockSize - used }

    /// Starts writing records of another session; a non-empty block of the previous session is written first.
    public mutating func setSession(
        id: UInt32, time: UInt32, emit: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        if (id, time) != (sessionID, sessionTime) && !isEmpty { try flush(emit: emit) }
        sessionID = id
        sessionTime = time
    }

    /// Appends one record. `unsplittable` records (session labels) go whole into one block. Calls `emit` for
    /// each block that fills up.
    public mutating func append(
        fileIndex: Int32, stream: Int32, data: UnsafeRawBufferPointer, unsplittable: Bool = false,
        emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        // Lending is handing over and taking the same buffer back.
        try append(fileIndex: fileIndex, stream: stream, data: data, unsplittable: unsplittable) { buffer, count in
            try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            return buffer
        }
    }

    /// Appends one record like `append(fileIndex:stream:data:unsplittable:emit:)`, but hands each finished block over
    /// with its buffer instead of lending it: `handOver` gets the buffer (the block is its first `count` bytes,
    /// padding included) and returns the buffer the writer goes on in: an empty one of at least `bufferCapacity`
    /// bytes aligned to `bufferAlignment` (ownership of the memory moves both ways: the writer deallocates the one
    /// it holds at the end), or the same buffer when the block was copied out. No copy of the block here.
    public mutating func append(
        fileIndex: Int32, stream: Int32, data: UnsafeRawBufferPointer, unsplittable: Bool = false,
        handOver: (_ buffer: UnsafeMutableRawBufferPointer, _ count: Int) throws -> UnsafeMutableRawBufferPointer
    ) throws {
        let headerSize = VolumeFormat.recordHeaderSize
        if room < headerSize || (unsplittable && room < headerSize + data.count && !isEmpty) {
            try flush(handOver: handOver)
        }
        guard !unsplittable || room >= headerSize + data.count else {
            throw VolumeError.badRecordLength(
                address: .offset(0), fileIndex: fileIndex, stream: stream, length: UInt32(clamping: data.count))
        }
        putHeader(fileIndex: fileIndex, stream: stream, remaining: data.count)
        var offset = 0
        while true {
            let n = min(data.count - offset, room)
            if n > 0 {
                (buffer.baseAddress! + used).copyMemory(from: data.baseAddress! + offset, byteCount: n)
                used += n
                offset += n
            }
            if offset == data.count { break }
            try flush(handOver: handOver)
            putHeader(fileIndex: fileIndex, stream: -stream, remaining: data.count - offset)
        }
        if room < headerSize { try flush(handOver: handOver) }
    }

    /// Where the data of a record of `count` bytes goes when it is written in place (received straight into the
    /// block): right behind its header in the current block. nil when the record and its header do not both fit in
    /// what the block has left (`append` it instead). Nothing is recorded until `commitInPlace`; the space stays
    /// valid until the next call that changes the writer.
    public func inPlaceSpace(count: Int) -> UnsafeMutableRawBufferPointer? {
        let start = used + VolumeFormat.recordHeaderSize
        guard count >= 0, start + count <= blockSize else { return nil }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + count)])
    }

    /// Takes the record whose `count` data bytes were written into `inPlaceSpace(count:)`: the same block as
    /// `append` with those bytes would leave (its header goes in front; a block left with no room for another
    /// header is handed over).
    public mutating func commitInPlace(
        fileIndex: Int32, stream: Int32, count: Int,
        handOver: (_ buffer: UnsafeMutableRawBufferPointer, _ count: Int) throws -> UnsafeMutableRawBufferPointer
    ) throws {
        precondition(used + VolumeFormat.recordHeaderSize + count <= blockSize, "BlockWriter: no in-place space for the record")
        putHeader(fileIndex: fileIndex, stream: stream, remaining: count)
        used += count
        if room < VolumeFormat.recordHeaderSize { try flush(handOver: handOver) }
    }

    /// Writes the current block if it holds any record, handing it over with its buffer (see
    /// `append(fileIndex:stream:data:unsplittable:handOver:)`).
    public mutating func flush(
        handOver: (_ buffer: UnsafeMutableRawBufferPointer, _ count: Int) throws -> UnsafeMutableRawBufferPointer
    ) throws {
        guard !isEmpty else { return }
        let physical = finishBlock()
        let next = try handOver(buffer, physical)
        guard next.baseAddress != buffer.baseAddress else { return }
        precondition(
            next.count >= buffer.count && Int(bitPattern: next.baseAddress) % Self.bufferAlignment == 0,
            "BlockWriter: a handed-back buffer must be aligned and hold bufferCapacity bytes")
        buffer = next
    }

    /// Appends one record from an array.
    public mutating func append(
        fileIndex: Int32, stream: Int32, data: [UInt8], unsplittable: Bool = false,
        emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try data.withUnsafeBytes { try append(fileIndex: fileIndex, stream: stream, data: $0, unsplittable: unsplittable, emit: emit) }
    }

    /// Writes the current block if it holds any record.
    public mutating func flush(emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !isEmpty else { return }
        let physical = finishBlock()
        try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<physical]))
    }

    /// Header, CRC and padding of the current block; the next block starts empty. Returns the block's physical length.
    private mutating func finishBlock() -> Int {
        let length = used
        BlockHeader(
            length: UInt32(length), blockNumber: nextBlockNumber, sessionID: sessionID, sessionTime: sessionTime
        ).encode(into: buffer)
        let crc = BlockChecksum.crc32(UnsafeRawBufferPointer(rebasing: buffer[4..<length]))
        BigEndian.store(crc, buffer, 0)
        var physical = length
        switch padding {
        case .none: break
        case .multiple(let m) where m > 0: physical = (length + m - 1) / m * m
        case .multiple: break
        case .fixed: physical = blockSize
        }
        if physical > length {
            (buffer.baseAddress! + length).initializeMemory(as: UInt8.self, repeating: 0, count: physical - length)
        }
        used = VolumeFormat.blockHeaderSize
        nextBlockNumber &+= 1
        return physical
    }

    private mutating func putHeader(fileIndex: Int32, stream: Int32, remaining: Int) {
        BigEndian.store(fileIndex, buffer, used)
        BigEndian.store(stream, buffer, used + 4)
        BigEndian.store(UInt32(truncatingIfNeeded: remaining), buffer, used + 8)
        used += VolumeFormat.recordHeaderSize
    }
}
