#if canImport(Glibc)
import Glibc
#endif

/// A file-backed tape in Bacula's `vtape` container (spec §8.10), so images are readable by Bacula's own
/// `Device Type = vtape` and the fixture `TAPE01.vtape` is readable here.
///
/// Layout (little-endian, host order as Bacula writes it on x86): a record is `u32 length` + the bytes; a filemark
/// is `u32 0`, `i64 offset of the previous filemark`, `i64 offset of the next filemark (0 = none)`. The image
/// starts with a header filemark at offset 0 that is not a tape file. Writing truncates everything after the
/// current position. Closing after a write appends a filemark, like the st driver and Bacula's vtape.
/// Optional `capacity` (bytes) gives an end of medium, with an early-warning zone before it; an optional rated
/// speed makes writes take the time a streaming drive would (see `RatedSpeed`).
public final class VirtualTape: TapeDrive {
    /// A streaming drive's speed model. The medium moves at most at `bytesPerSecond`; a write is accepted as soon as
    /// the drive's buffer (`bufferBytes`) has room, so a writer that comes faster than that waits in `writeBlock`.
    /// Like an LTO drive's speed matching, the medium slows down to `minimumBytesPerSecond` when data comes slower;
    /// a writer slower than that lets the buffer run empty and the medium stops (`mediumStops`): a stop after which
    /// the drive would reposition before writing again (shoe-shining when it happens often).
    public struct RatedSpeed: Sendable {
        public var bytesPerSecond: Int
        public var bufferBytes: Int
        /// The slowest speed the medium streams at (speed matching); at most `bytesPerSecond`.
        public var minimumBytesPerSecond: Int
        public var clock: any DriveClock

        /// `minimumBytesPerSecond` nil or 0: no speed matching (the medium only streams at `bytesPerSecond`).
        public init(
            bytesPerSecond: Int, bufferBytes: Int = 0, minimumBytesPerSecond: Int? = nil,
            clock: any DriveClock = MonotonicDriveClock()
        ) {
            self.bytesPerSecond = max(1, bytesPerSecond)
            self.bufferBytes = max(0, bufferBytes)
            let minimum = minimumBytesPerSecond ?? 0
            self.minimumBytesPerSecond = minimum > 0 ? min(minimum, self.bytesPerSecond) : self.bytesPerSecond
            self.clock = clock
        }
    }

    private struct Entry {
        var offset: Int64
        var length: UInt32
    }

    public let path: String
    public let writable: Bool
    /// Image size limit that triggers `TapeError.endOfMedium`; nil for none.
    public var capacity: Int64?
    /// Size of the early-warning zone before `capacity`: writes in it succeed and `status().atEarlyWarning` is set
    /// (the st driver's EOT flag); the write that would pass `capacity` throws `TapeError.endOfMedium`. Room for one
    /// filemark is always kept after the last record.
    public var earlyWarningZone: Int64
    /// Rated speed, nil for "as fast as the disk".
    public var ratedSpeed: RatedSpeed?
    /// Times the drive's buffer ran empty between two writes (the medium stopped and would reposition), idle
    /// pauses included: whoever feeds the drive tells a planned pause from an underrun.
    public private(set) var mediumStops = 0
    /// When the medium finishes writing what is in the buffer at full speed (rated-speed clock nanoseconds): the
    /// writer's pacing.
    private var drainedAt: UInt64?
    /// When the buffer runs empty if the medium slows to its minimum speed (speed matching): a write after this
    /// moment finds the medium stopped.
    private var runsDryAt: UInt64?
    private var fd: Int32
    /// Records of each tape file; `files.count == filemarks.count + 1` (the last file is the unterminated tail).
    private var files: [[Entry]] = [[]]
    /// Offsets of the filemarks that end files 0, 1, ...
    private var filemarks: [Int64] = []
    private var current = TapePosition(file: 0, block: 0)
    private var lastWasWrite = false
    private var afterFilemark = false
    private static let markSize: Int64 = 20
    /// Where the whole records of a writable image end when a torn record or filemark follows them (a writer
    /// killed mid-write); nil for a sound image.
    public private(set) var tornTail: Int64?
    /// Fault injection for tests (`Fail Write At Block`): asked before each record is written with the record's
    /// number on the image (every record of every file, from 0); true makes that write fail with EIO and write
    /// nothing, as a drive with a medium error would.
    public var writeFault: (@Sendable (_ record: Int) -> Bool)?
    /// Hands what is written to the disk a few windows behind the writer and drops it from the page cache (see
    /// `WriteBehind`); nil keeps every written page cached until the kernel evicts it.
    public var writeBehind: WriteBehind? = WriteBehind()

    /// Opens (and with `writable`, creates) an image and indexes its records and filemarks.
    public init(
        path: String, writable: Bool, capacity: Int64? = nil, earlyWarningZone: Int64 = 0,
        ratedSpeed: RatedSpeed? = nil
    ) throws {
        self.path = path
        self.writable = writable
        self.capacity = capacity
        self.earlyWarningZone = max(0, earlyWarningZone)
        self.ratedSpeed = ratedSpeed
        fd = try SystemCall.open(path, flags: writable ? (O_RDWR | O_CREAT) : O_RDONLY)
        do {
            if try SystemCall.fileSize(fd, path: path) == 0 {
                guard writable else { throw TapeError.corruptImage(offset: 0, detail: "empty image") }
                try putMark(at: 0, previous: 0)
            }
            try index()
        } catch {
            try? SystemCall.close(fd, path: path)
            throw error
        }
    }

    deinit { try? close() }

    /// Appends a filemark if the last operation wrote, then closes the image.
    public func close() throws {
        guard fd >= 0 else { return }
        if lastWasWrite { try writeFilemarks(1) }
        try SystemCall.close(fd, path: path)
        fd = -1
    }

    // MARK: index

    private func index() throws {
        let size = try SystemCall.fileSize(fd, path: path)
        var offset: Int64 = 0
        var header = [UInt8](repeating: 0, count: 20)
        files = [[]]
        filemarks = []
        var first = true
        tornTail = nil
        while offset < size {
            let n = try header.withUnsafeMutableBytes { try SystemCall.pread(fd, $0, offset: offset, path: path) }
            // A writer killed mid-write leaves a torn last record or filemark: a writable image keeps its whole
            // records (the next write, or `recoverTornTail`, cuts the rest); a read-only one is refused.
            guard n >= 4 else {
                if writable && !first { tornTail = offset; break }
                throw TapeError.corruptImage(offset: offset, detail: "truncated record length")
            }
            let length = header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
            if length == 0 {
                guard n >= 20 else {
                    if writable && !first { tornTail = offset; break }
                    throw TapeError.corruptImage(offset: offset, detail: "truncated filemark")
                }
                if !first {
                    filemarks.append(offset)
                    files.append([])
                }
                offset += Self.markSize
            } else {
                guard first == false else {
                    throw TapeError.corruptImage(offset: 0, detail: "image does not start with a filemark")
                }
                guard offset + 4 + Int64(length) <= size else {
                    if writable { tornTail = offset; break }
                    throw TapeError.corruptImage(offset: offset, detail: "record of \(length) bytes runs past the end")
                }
                files[files.count - 1].append(Entry(offset: offset, length: length))
                offset += 4 + Int64(length)
            }
            first = false
        }
    }

    /// Byte offset where position `p` begins in the image.
    private func byteOffset(_ p: TapePosition) -> Int64 {
        let records = files[p.file]
        if p.block < records.count { return records[p.block].offset }
        if let last = records.last { return last.offset + 4 + Int64(last.length) }
        return p.file == 0 ? Self.markSize : filemarks[p.file - 1] + Self.markSize
    }

    private func putMark(at offset: Int64, previous: Int64) throws {
        var mark = [UInt8](repeating: 0, count: 20)
        mark.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(0).littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: previous.littleEndian, toByteOffset: 4, as: Int64.self)
            raw.storeBytes(of: Int64(0).littleEndian, toByteOffset: 12, as: Int64.self)
        }
        try mark.withUnsafeBytes { try SystemCall.pwrite(fd, $0, offset: offset, path: path) }
    }

    /// Drops everything after the current position (tape semantics of a write).
    private func truncateHere() throws {
        let offset = byteOffset(current)
        files[current.file].removeSubrange(current.block...)
        if files.count > current.file + 1 { files.removeSubrange((current.file + 1)...) }
        if filemarks.count > current.file { filemarks.removeSubrange(current.file...) }
        writeBehind?.truncated(at: offset)
        try SystemCall.truncate(fd, length: offset, path: path)
    }

    // MARK: TapeDrive

    public func writeBlock(_ block: UnsafeRawBufferPointer) throws {
        guard writable else { throw TapeError.writeProtected }
        guard !block.isEmpty, block.count <= Int(UInt32.max) else {
            throw TapeError.system(SystemError(call: "write", path: path, errno: EINVAL))
        }
        let offset = byteOffset(current)
        if let cap = capacity, offset + 4 + Int64(block.count) + Self.markSize > cap { throw TapeError.endOfMedium }
        if let writeFault, writeFault(files[..<current.file].reduce(0, { $0 + $1.count }) + current.block) {
            throw TapeError.system(SystemError(call: "write", path: path, errno: EIO))
        }
        pace(block.count)
        try truncateHere()
        var length = UInt32(block.count).littleEndian
        try withUnsafeBytes(of: &length) { try SystemCall.pwrite(fd, $0, offset: offset, path: path) }
        try SystemCall.pwrite(fd, block, offset: offset + 4, path: path)
        files[current.file].append(Entry(offset: offset, length: UInt32(block.count)))
        current.block += 1
        lastWasWrite = true
        afterFilemark = false
        if let actions = writeBehind?.wrote(offset..<(offset + 4 + Int64(block.count))),
            try !WriteBehind.carryOut(actions, fd: fd, path: path)
        {
            writeBehind = nil
        }
    }

    /// Rated-speed model: counts a medium stop when the buffer ran empty even at the minimum speed, then blocks
    /// until the drive buffer has room for `count` more bytes at full speed.
    private func pace(_ count: Int) {
        guard let speed = ratedSpeed else { return }
        let now = speed.clock.now()
        let second: UInt64 = 1_000_000_000
        let duration = UInt64(count) * second / UInt64(speed.bytesPerSecond)
        // Speed matching: what is buffered lasts until `runsDryAt` at the slowest streaming speed, never longer
        // than a full buffer (the drive speeds up rather than hold more).
        let slowest = UInt64(speed.minimumBytesPerSecond)
        let fullBufferAtSlowest = UInt64(speed.bufferBytes + count) * second / slowest
        if let dry = runsDryAt, dry < now { mediumStops += 1 }
        let lastsFrom = max(now, runsDryAt ?? now)
        runsDryAt = min(lastsFrom + UInt64(count) * second / slowest, now + fullBufferAtSlowest)
        var start = now
        if let drained = drainedAt, drained > now { start = drained }
        let done = start + duration
        drainedAt = done
        let bufferTime = UInt64(speed.bufferBytes) * second / UInt64(speed.bytesPerSecond)
        if done > now + bufferTime { speed.clock.sleep(until: done - bufferTime) }
    }

    /// Medium stops so far when the drive models its speed (`ratedSpeed`); nil when it does not.
    public var streamingStops: Int? { ratedSpeed == nil ? nil : mediumStops }

    /// True once the end of the recorded data is inside the early-warning zone.
    public var atEarlyWarning: Bool {
        guard let cap = capacity else { return false }
        return byteOffset(TapePosition(file: filemarks.count, block: files[filemarks.count].count)) + Self.markSize
            > cap - earlyWarningZone
    }

    public func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead {
        lastWasWrite = false
        let records = files[current.file]
        if current.block < records.count {
            let entry = records[current.block]
            guard Int(entry.length) <= buffer.count else {
                throw TapeError.blockLargerThanBuffer(needed: Int(entry.length))
            }
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(entry.length)])
            let n = try SystemCall.pread(fd, target, offset: entry.offset + 4, path: path)
            guard n == Int(entry.length) else {
                throw TapeError.corruptImage(offset: entry.offset, detail: "short record")
            }
            current.block += 1
            afterFilemark = false
            return .block(count: n)
        }
        if current.file < filemarks.count {
            current = TapePosition(file: current.file + 1, block: 0)
            afterFilemark = true
            return .filemark
        }
        return .endOfData
    }

    public func writeFilemarks(_ count: Int) throws {
        guard writable else { throw TapeError.writeProtected }
        for _ in 0..<max(0, count) {
            let offset = byteOffset(current)
            try truncateHere()
            let previous = filemarks.last ?? 0
            try putMark(at: offset, previous: previous)
            var next = offset.littleEndian
            try withUnsafeBytes(of: &next) { try SystemCall.pwrite(fd, $0, offset: previous + 12, path: path) }
            filemarks.append(offset)
            files.append([])
            current = TapePosition(file: current.file + 1, block: 0)
        }
        lastWasWrite = false
        afterFilemark = true
    }

    public func spaceFiles(_ count: Int) throws {
        lastWasWrite = false
        if count >= 0 {
            let target = current.file + count
            guard target <= filemarks.count else {
                current = TapePosition(file: filemarks.count, block: files[filemarks.count].count)
                throw TapeError.endOfData(current)
            }
            if count > 0 { current = TapePosition(file: target, block: 0) }
        } else {
            let target = current.file + count  // the file whose ending filemark we stop before
            guard target >= 0 else {
                current = TapePosition(file: 0, block: 0)
                throw TapeError.beginningOfTape
            }
            current = TapePosition(file: target, block: files[target].count)
        }
        afterFilemark = count != 0
    }

    public func spaceRecords(_ count: Int) throws {
        lastWasWrite = false
        let records = files[current.file].count
        let target = current.block + count
        if target > records {
            if current.file < filemarks.count {
                current = TapePosition(file: current.file + 1, block: 0)
                afterFilemark = true
                throw TapeError.filemarkReached(current)
            }
            current.block = records
            throw TapeError.endOfData(current)
        }
        if target < 0 {
            current.block = 0
            if current.file == 0 { throw TapeError.beginningOfTape }
            throw TapeError.filemarkReached(current)
        }
        current.block = target
        afterFilemark = false
    }

    public func rewind() throws {
        lastWasWrite = false
        afterFilemark = false
        current = TapePosition(file: 0, block: 0)
    }

    public func seekEndOfData() throws {
        lastWasWrite = false
        current = TapePosition(file: filemarks.count, block: files[filemarks.count].count)
    }

    public func position() throws -> TapePosition { current }

    public func status() throws -> TapeStatus {
        TapeStatus(
            position: current, atBeginning: current == TapePosition(file: 0, block: 0),
            atEndOfData: current.file == filemarks.count && current.block == files[current.file].count,
            afterFilemark: afterFilemark, writeProtected: !writable, online: fd >= 0, atEarlyWarning: atEarlyWarning)
    }

    /// What `recoverTornTail` did to an image a killed writer left behind.
    public struct TailRecovery: Sendable, Equatable {
        /// Image bytes before and after (the torn record or filemark cut off).
        public var sizeBefore: Int64
        public var sizeAfter: Int64
        /// A filemark was written to close the last tape file, which the killed writer left open (the st driver
        /// writes one when a writer's descriptor is closed; a virtual tape has nobody to do it).
        public var closedOpenFile: Bool
    }

    /// Recovers an image after its writer was killed: cuts a torn last record or filemark and closes a tape file
    /// left open with a filemark, so the tape ends at its last complete block, then a filemark. nil when there was
    /// nothing to recover. Positions at the end of data.
    public func recoverTornTail() throws -> TailRecovery? {
        guard writable else { throw TapeError.writeProtected }
        let before = try SystemCall.fileSize(fd, path: path)
        let openFile = !(files.last ?? []).isEmpty
        guard tornTail != nil || openFile else { return nil }
        try seekEndOfData()
        let end = byteOffset(current)
        if end < before { try SystemCall.truncate(fd, length: end, path: path) }
        tornTail = nil
        if openFile { try writeFilemarks(1) }
        lastWasWrite = false
        return TailRecovery(sizeBefore: before, sizeAfter: try SystemCall.fileSize(fd, path: path), closedOpenFile: openFile)
    }

    /// Number of filemarks on the tape (= tape files that are closed).
    public var filemarkCount: Int { filemarks.count }
    /// Number of records in tape file `file`.
    public func recordCount(inFile file: Int) -> Int { file < files.count ? files[file].count : 0 }
}
