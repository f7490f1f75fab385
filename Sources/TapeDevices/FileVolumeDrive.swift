#if canImport(Glibc)
import Glibc
#endif
import BaculaVolume

/// One `Device Type = File` volume driven through the tape contract (spec §2, §8.8), so the drive writer can write
/// file volumes with the same machinery as tapes. The volume is a plain file of blocks back to back, each exactly
/// `block_len` bytes; there are no filemarks.
///
/// Contract, mapped from `TapeDrive`:
/// - `writeBlock` writes at the current offset (after `open` and `seekEndOfData` that is the end of the file) and,
///   as on tape, drops whatever followed (the file is truncated there first). `rewind` then `writeBlock` therefore
///   relabels: the file becomes that one block. A full disk (`ENOSPC`) cuts the file back to where the block began
///   and throws `TapeError.endOfMedium`.
/// - `writeFilemarks` does nothing; `spaceFiles` forward goes to the end of data, backward to the beginning.
/// - `position()` is the byte offset as an address: `file` = offset >> 32, `block` = offset & 0xFFFFFFFF.
/// - `readBlock` reads the block at the offset using the header's length; at the end of the file `.endOfData`.
public final class FileVolumeDrive: TapeDrive {
    public let path: String
    public let writable: Bool
    private var fd: Int32
    /// Byte offset of the next read or write.
    public private(set) var offset: Int64
    /// Bytes in the file.
    public private(set) var size: Int64
    /// Leaves the last `WriteBehind.fileVolumeAllowance` bytes written to the kernel, hands what falls behind them
    /// to the disk and drops it from the page cache (see `WriteBehind`), so a volume of many GiB does not fill the
    /// page cache with blocks nobody reads back soon; nil keeps every written page cached until the kernel evicts it.
    public var writeBehind: WriteBehind? = WriteBehind(allowance: WriteBehind.fileVolumeAllowance)
    /// Reserves the volume's disk space a chunk ahead of the writer (see `Preallocation`) and gives back what is left
    /// of it when the volume is closed; nil when not writable, or once the file system refused a reservation (no
    /// `fallocate`, or less free space than a chunk: the blocks are then allocated as they are written, as before).
    public var preallocation: Preallocation?

    /// Opens the volume file (creating it when `writable`) and positions at its end, ready to append.
    public init(path: String, writable: Bool = true) throws {
        self.path = path
        self.writable = writable
        fd = try SystemCall.open(path, flags: writable ? (O_RDWR | O_CREAT) : O_RDONLY)
        do {
            size = try SystemCall.fileSize(fd, path: path)
        } catch {
            try? SystemCall.close(fd, path: path)
            throw error
        }
        offset = size
        if writable { preallocation = Preallocation(from: size) }
    }

    deinit {
        guard fd >= 0 else { return }
        releaseReservation()
        _ = Glibc.close(fd)
    }

    /// Gives the disk space reserved past the end of the volume back (a truncation to its size frees it).
    private func releaseReservation() {
        guard let reserved = preallocation, reserved.holdsSpace(past: size) else { return }
        try? SystemCall.truncate(fd, length: size, path: path)  // only space, never data: a failure keeps the reservation
        preallocation?.truncated(at: size)
    }

    /// Gives back the space reserved ahead, flushes written blocks to stable storage and closes the file.
    public func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        if writable {
            releaseReservation()
            try SystemCall.sync(fd, path: path)
        }
        try SystemCall.close(fd, path: path)
    }

    private func open() throws(SystemError) -> Int32 {
        guard fd >= 0 else { throw SystemError(call: "write", path: path, errno: EBADF) }
        return fd
    }

    /// Moves to a byte offset within the file (for readers that know a block's address).
    public func seek(toOffset target: Int64) throws {
        guard target >= 0 && target <= size else {
            throw TapeError.endOfData(Self.position(of: size))
        }
        offset = target
    }

    static func position(of offset: Int64) -> TapePosition {
        TapePosition(file: Int(offset >> 32), block: Int(offset & 0xFFFF_FFFF))
    }

    // MARK: TapeDrive

    public func writeBlock(_ block: UnsafeRawBufferPointer) throws {
        guard writable else { throw TapeError.writeProtected }
        let fd = try open()
        if offset < size {
            try SystemCall.truncate(fd, length: offset, path: path)
            writeBehind?.truncated(at: offset)
            preallocation?.truncated(at: offset)
            size = offset
        }
        let written = offset..<(offset + Int64(block.count))
        if let reserve = preallocation?.willWrite(written) {
            do {
                try SystemCall.preallocate(fd, reserve, path: path)
            } catch {
                releaseReservation()  // a refusal may have reserved part of the chunk
                preallocation = nil
            }
        }
        do {
            try SystemCall.pwrite(fd, block, offset: offset, path: path)
        } catch let error where error.kind == .noSpace {
            try? SystemCall.truncate(fd, length: offset, path: path)
            writeBehind?.truncated(at: offset)
            preallocation?.truncated(at: offset)
            throw TapeError.endOfMedium
        }
        offset = written.upperBound
        size = offset
        if let actions = writeBehind?.wrote(written), try !WriteBehind.carryOut(actions, fd: fd, path: path) {
            writeBehind = nil
        }
    }

    public func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead {
        let fd = try open()
        let remaining = size - offset
        if remaining <= 0 { return .endOfData }
        let headerSize = VolumeFormat.blockHeaderSize
        var header = [UInt8](repeating: 0, count: headerSize)
        let got = try header.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: offset, path: path) }
        guard got == headerSize else {
            throw TapeError.corruptImage(offset: offset, detail: "\(got) bytes left, less than a block header")
        }
        let length = header.withUnsafeBytes { Int(BlockHeader.peekLength($0) ?? 0) }
        guard length >= headerSize, length < VolumeFormat.sanityLimit, Int64(length) <= remaining else {
            throw TapeError.corruptImage(offset: offset, detail: "block length \(length) with \(remaining) bytes left")
        }
        guard length <= buffer.count else { throw TapeError.blockLargerThanBuffer(needed: length) }
        let n = try SystemCall.pread(
            fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]), offset: offset, path: path)
        guard n == length else { throw TapeError.corruptImage(offset: offset, detail: "short read of \(n) bytes") }
        offset += Int64(length)
        return .block(count: length)
    }

    /// No filemarks on disk (Bacula's `weof` only resets a counter).
    public func writeFilemarks(_ count: Int) throws {
        guard writable else { throw TapeError.writeProtected }
    }

    public func spaceFiles(_ count: Int) throws {
        if count > 0 {
            offset = size
            throw TapeError.endOfData(Self.position(of: size))
        }
        if count < 0 {
            offset = 0
            throw TapeError.beginningOfTape
        }
    }

    /// Forward only (block lengths are in the headers); backward spacing is not possible without an index.
    public func spaceRecords(_ count: Int) throws {
        guard count >= 0 else { throw TapeError.system(SystemError(call: "space", path: path, errno: EINVAL)) }
        let fd = try open()
        var header = [UInt8](repeating: 0, count: VolumeFormat.blockHeaderSize)
        for _ in 0..<count {
            guard size - offset >= Int64(VolumeFormat.blockHeaderSize) else {
                throw TapeError.endOfData(Self.position(of: offset))
            }
            _ = try header.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: offset, path: path) }
            let length = header.withUnsafeBytes { Int64(BlockHeader.peekLength($0) ?? 0) }
            guard length >= Int64(VolumeFormat.blockHeaderSize), length <= size - offset else {
                throw TapeError.corruptImage(offset: offset, detail: "block length \(length)")
            }
            offset += length
        }
    }

    public func rewind() throws { offset = 0 }

    public func seekEndOfData() throws { offset = size }

    public func position() throws -> TapePosition { Self.position(of: offset) }

    public func status() throws -> TapeStatus {
        TapeStatus(
            position: Self.position(of: offset), atBeginning: offset == 0, atEndOfData: offset >= size,
            afterFilemark: false, writeProtected: !writable, online: fd >= 0)
    }

    /// What `recoverTornTail` cut off a volume a killed writer left behind.
    public struct TailRecovery: Sendable, Equatable {
        public var sizeBefore: Int64
        public var sizeAfter: Int64
        /// Block number of the last complete block kept (nil: the volume holds none, it is now empty).
        public var lastBlockNumber: UInt32?
    }

    /// Cuts the volume back to the end of its last complete block: a block whose header runs past the end of the
    /// file (a write cut short) or whose checksum does not match its bytes (a torn last write) goes, with anything
    /// after it. nil when the volume already ends at a complete block. Positions at the (new) end.
    public func recoverTornTail() throws -> TailRecovery? {
        guard writable else { throw TapeError.writeProtected }
        let fd = try open()
        var last = try lastBlock()
        if let candidate = last, candidate.end == size {
            // a torn write can leave a whole-length block whose later bytes never arrived: check the last one
            let length = Int(candidate.end - candidate.offset)
            var bytes = [UInt8](repeating: 0, count: length)
            let n = try bytes.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: candidate.offset, path: path) }
            let stored = bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
            let computed = bytes.withUnsafeBytes { BlockChecksum.crc32(UnsafeRawBufferPointer(rebasing: $0[4..<n])) }
            guard n == length, stored != 0, stored != computed else { return nil }  // 0: written with checksums off
            last = nil
            // the block before it is the last complete one: walk again up to the torn block's offset
            var at: Int64 = 0
            var header = [UInt8](repeating: 0, count: VolumeFormat.blockHeaderSize)
            while at < candidate.offset {
                _ = try header.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: at, path: path) }
                guard let h = header.withUnsafeBytes({ try? BlockHeader.decode($0, address: .offset(UInt64(at))) }) else { break }
                last = (h.blockNumber, at, at + Int64(h.length))
                at += Int64(h.length)
            }
        }
        let end = last?.end ?? 0
        guard end < size else { return nil }
        let before = size
        try SystemCall.truncate(fd, length: end, path: path)
        writeBehind?.truncated(at: end)
        preallocation?.truncated(at: end)
        size = end
        offset = end
        return TailRecovery(sizeBefore: before, sizeAfter: end, lastBlockNumber: last?.number)
    }

    /// The last whole BB02 block of the volume: walks the block headers from the start (24-byte reads, one per
    /// block). Stops at the first header that is not a BB02/BB01 block or runs past the end of the file (a torn
    /// tail); nil for an empty volume.
    public func lastBlock() throws -> (number: UInt32, offset: Int64, end: Int64)? {
        let fd = try open()
        var header = [UInt8](repeating: 0, count: VolumeFormat.blockHeaderSize)
        var at: Int64 = 0
        var last: (number: UInt32, offset: Int64, end: Int64)?
        while size - at >= Int64(VolumeFormat.blockHeaderSize) {
            _ = try header.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: at, path: path) }
            let decoded = header.withUnsafeBytes { raw -> BlockHeader? in
                try? BlockHeader.decode(raw, address: .offset(UInt64(at)))
            }
            guard let h = decoded, Int64(h.length) <= size - at else { break }
            last = (h.blockNumber, at, at + Int64(h.length))
            at += Int64(h.length)
        }
        return last
    }
}
