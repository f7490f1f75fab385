#if canImport(Glibc)
import Glibc
#endif
import BaculaVolume
import TapeDevices

/// One job's side of the data path: packs the client's records into BB02 blocks (SOS first, records verbatim, one
/// session per block) and appends each finished block to the job's spool ring — or, for a direct (unspooled) job,
/// hands it straight to the drive writer's queue. Used by one task at a time.
///
/// Direct jobs (`DeviceDataPath.openDirectJob`): each finished block goes into a buffer of the drive writer's pool
/// and is submitted at once; when the pool is empty the job suspends (the pool is the backpressure) and gets
/// buffers in turn with the despooler and the other direct jobs. The job's blocks are submitted in order by its one
/// task, so SOS, records and EOS keep their order on the volume.
///
/// Backpressure: before a record goes into the block writer, the spooler reserves as many ring slots as the record
/// can fill; when the job's ring or the device's Maximum Spool Size is full it suspends until the despooler has
/// moved blocks to the drive.
///
/// Disk failure (spec §9, Bacula's rule): when a block cannot be written, the spooler waits until everything
/// spooled for the job has gone to the drive, truncates the spool file and retries. While the disk is still full
/// and other jobs' spool files hold data (a spool filesystem smaller than Maximum Spool Size), it waits until one of
/// them gives space back (despooled and truncated, or its job ended) and retries again. If nothing can free space,
/// the blocks it holds are handed to the drive writer in memory — so every record acknowledged by an earlier `append`
/// reaches the tape — and the job fails with `SpoolError.writeFailed` naming the job and the spool file.
public final class JobSpooler {
    public let job: DeviceJob
    /// The spool file ("" for a direct job).
    public let path: String
    private let fd: Int32
    /// Slots of the job's spool ring (0 for a direct job): its Spool Size, or the device's Maximum Job Spool Size.
    private let spoolSlots: Int
    /// nil for a direct job.
    private let spool: Spool?
    private let writer: DriveWriter
    /// Direct jobs: called once when the job has ended (committed or cancelled).
    private let onEnd: (@Sendable () -> Void)?
    /// Direct jobs: blocks finished while no pool buffer was free, in order (bounded by one record's blocks).
    private var overflow: [[UInt8]] = []
    private var blocks: BlockWriter
    /// The block writer's buffer size: a block handed over by it may be written rounded up to the spool's alignment.
    private let blockCapacity: Int
    private var files: UInt32 = 0
    private var bytes: UInt64 = 0
    private var failure: SpoolError?
    private var closed = false
    /// Blocks the disk refused in the current call, in order (bounded by one record's blocks).
    private var refused: [[UInt8]] = []
    private var refusal: SystemError?
    /// Times the spool disk refused a block and the job despooled, truncated and wrote again.
    public private(set) var diskFullRecoveries = 0

    init(job: DeviceJob, spool: Spool, writer: DriveWriter) async throws {
        self.job = job
        self.spool = spool
        self.writer = writer
        onEnd = nil
        (path, fd, spoolSlots) = try spool.open(job)
        blocks = BlockWriter(blockSize: spool.configuration.blockSize, padding: Self.padding(writer))
        blockCapacity = blocks.bufferCapacity
        try await start()
    }

    /// A direct job: its blocks go to `writer`'s queue without a spool file.
    init(direct job: DeviceJob, writer: DriveWriter, onEnd: @escaping @Sendable () -> Void) async throws {
        self.job = job
        spool = nil
        self.writer = writer
        self.onEnd = onEnd
        path = ""
        fd = -1
        spoolSlots = 0
        blocks = BlockWriter(blockSize: writer.configuration.blockSize, padding: Self.padding(writer))
        blockCapacity = blocks.bufferCapacity
        writer.submit([.begin(job)])
        do {
            try await start()
        } catch {
            cancel()
            throw error
        }
    }

    /// File volumes get blocks of exactly `block_len` bytes; tapes blocks padded to 1024.
    private static func padding(_ writer: DriveWriter) -> BlockPadding {
        writer.configuration.medium == .file ? .none : .multiple(VolumeFormat.tapePadding)
    }

    /// Numbers the job's blocks (on a file volume after the volume's last block) and writes the SOS.
    private func start() async throws {
        blocks.nextBlockNumber = writer.nextBlockNumber
        blocks.setSession(id: job.sessionID, time: job.sessionTime) { _ in }
        var sos = job.label
        sos.totals = nil
        try await put(
            fileIndex: LabelType.startOfSession.rawValue, stream: Int32(bitPattern: job.jobID), data: sos.encoded(),
            label: true)
    }

    /// Blocks one record of `count` bytes can make the writer emit (the pending block plus its pieces).
    private func blocksNeeded(_ count: Int) -> Int {
        let payload = blocks.blockSize - VolumeFormat.blockHeaderSize - VolumeFormat.recordHeaderSize
        return 2 + (count + VolumeFormat.recordHeaderSize) / max(1, payload)
    }

    /// Appends one client record (FileIndex > 0) verbatim. When it returns, the record is acknowledged: it will
    /// reach the tape even if the spool disk fails later.
    public func append(fileIndex: Int32, stream: Int32, data: UnsafeRawBufferPointer) async throws {
        try await put(fileIndex: fileIndex, stream: stream, data: data, label: false)
        counted(fileIndex: fileIndex, bytes: data.count)
    }

    /// Appends one client record from an array.
    public func append(fileIndex: Int32, stream: Int32, data: [UInt8]) async throws {
        try await put(fileIndex: fileIndex, stream: stream, data: data, label: false)
        counted(fileIndex: fileIndex, bytes: data.count)
    }

    /// Appends one client record (FileIndex > 0) of `count` bytes (at least 1) whose data `receive` writes straight
    /// into the block being filled (a socket read: no copy here), when the record fits in what that block has left.
    /// Returns false, having received nothing, when it does not: `append` it then. When it returns true the record
    /// is acknowledged, as after `append`; when `receive` throws, nothing of the record is kept and the error is
    /// rethrown. `receive` must fill the whole space it is given.
    public func appendInPlace(
        fileIndex: Int32, stream: Int32, count: Int, receive: (UnsafeMutableRawBufferPointer) async throws -> Void
    ) async throws -> Bool {
        guard count > 0, blocks.inPlaceSpace(count: count) != nil else { return false }
        var room = try await makeRoom(count: count)
        // `makeRoom` waits for a buffer or spool slots; it leaves the block being filled as it was.
        guard let space = blocks.inPlaceSpace(count: count) else {
            abandon(room)
            return false
        }
        do {
            try await receive(space)
        } catch {
            abandon(room)
            throw error
        }
        do {
            try pack(room: &room) { blocks, handOver in
                try blocks.commitInPlace(fileIndex: fileIndex, stream: stream, count: count, handOver: handOver)
            }
        } catch {
            if let held = room.held { writer.recycle(held) }
            throw error
        }
        try await settle(room)
        counted(fileIndex: fileIndex, bytes: count)
        return true
    }

    /// The array is read in place by the synchronous `pack` (no copy): the suspensions come before it (`makeRoom`)
    /// and after it (`settle`).
    private func put(fileIndex: Int32, stream: Int32, data: [UInt8], label: Bool) async throws {
        var room = try await makeRoom(count: data.count)
        do {
            try data.withUnsafeBytes { data in
                try pack(room: &room) { blocks, handOver in
                    try blocks.append(fileIndex: fileIndex, stream: stream, data: data, unsplittable: label, handOver: handOver)
                }
            }
        } catch {
            if let held = room.held { writer.recycle(held) }
            throw error
        }
        try await settle(room)
    }

    private func put(fileIndex: Int32, stream: Int32, data: UnsafeRawBufferPointer, label: Bool) async throws {
        var room = try await makeRoom(count: data.count)
        do {
            try pack(room: &room) { blocks, handOver in
                try blocks.append(fileIndex: fileIndex, stream: stream, data: data, unsplittable: label, handOver: handOver)
            }
        } catch {
            if let held = room.held { writer.recycle(held) }
            throw error
        }
        try await settle(room)
    }

    /// The job's totals (its EOS label) after a client record.
    private func counted(fileIndex: Int32, bytes count: Int) {
        files = max(files, UInt32(clamping: fileIndex))
        bytes &+= UInt64(count)
    }

    /// Gives back what `makeRoom` took for a record that was not packed.
    private func abandon(_ room: Room) {
        if let held = room.held { writer.recycle(held) }
        if room.reserved > 0 { spool?.release(job.session, room.reserved) }
    }

    /// What one record's packing may use: spool slots reserved (spooled), or a pool buffer held (direct).
    private struct Room {
        var reserved = 0
        var held: BlockBuffer?
    }

    /// Before a record of `count` bytes is packed: reserves the ring slots it can fill (spooled; suspends while the
    /// ring or the device's budget is full), or takes a pool buffer when it is sure to finish a block (direct).
    private func makeRoom(count: Int) async throws -> Room {
        if let failure { throw failure }
        guard !closed else { throw SpoolError(.jobClosed, job: job.name, path: path) }
        guard let spool else {
            if let stop = writer.failure { throw fail(stop) }
            if blocks.room < 2 * VolumeFormat.recordHeaderSize + count { return Room(held: await writer.nextBuffer()) }
            return Room()
        }
        let need = blocksNeeded(count)
        guard need <= spoolSlots else {
            throw SpoolError(
                .recordTooLarge, job: job.name, path: path,
                detail: "record of \(count) bytes needs \(need) blocks, the job's spool holds \(spoolSlots)")
        }
        try await spool.reserve(job.session, need)
        return Room(reserved: need)
    }

    /// How the block writer hands a finished block over (see `BlockWriter.append(fileIndex:stream:data:unsplittable:handOver:)`).
    private typealias HandOver = (_ buffer: UnsafeMutableRawBufferPointer, _ count: Int) throws -> UnsafeMutableRawBufferPointer

    /// Packs one record (synchronously) by `write` (an `append` or a `commitInPlace` of the block writer): each
    /// block it finishes goes to the next reserved spool slot, or (direct) to the held buffer, a free one, or the
    /// overflow list.
    private func pack(room: inout Room, _ write: (inout BlockWriter, HandOver) throws -> Void) throws {
        guard let spool else {
            let session = job.session
            try write(&blocks) { full, count in
                if overflow.isEmpty, let buffer = room.held ?? writer.tryTakeBuffer() {
                    room.held = nil
                    return Self.submit(full, count: count, in: buffer, session: session, to: writer)
                }
                overflow.append(Array(UnsafeRawBufferPointer(rebasing: full[0..<count])))
                return full
            }
            return
        }
        var used = 0
        try write(&blocks) { full, count in
            used += 1
            return self.store(full, count: count)
        }
        spool.release(job.session, room.reserved - used + refused.count)
    }

    /// After a record was packed: a refused spool write recovers (spooled); blocks left over wait for pool
    /// buffers (direct).
    private func settle(_ room: Room) async throws {
        if spool != nil {
            if !refused.isEmpty { try await recover() }
            return
        }
        if let held = room.held { writer.recycle(held) }  // unused: nothing is in the overflow list then
        let session = job.session
        while !overflow.isEmpty {
            let buffer = await writer.nextBuffer()
            overflow[0].withUnsafeBytes { buffer.copy($0) }
            overflow.removeFirst()
            writer.submit([.block(session, buffer)])
        }
    }

    /// Puts the block writer's finished block (the first `count` bytes of `full`) into the next reserved slot: in
    /// spool memory while the device has some free (`BlockBuffer.take`: no copy when the sizes match), else in the
    /// spool file. Returns the memory the block writer goes on in.
    private func store(_ full: UnsafeMutableRawBufferPointer, count: Int) -> UnsafeMutableRawBufferPointer {
        guard refused.isEmpty, let spool, let memory = spool.takeMemory(job.session, size: full.count) else {
            store(UnsafeRawBufferPointer(rebasing: full[0..<count]))
            return full
        }
        guard count <= memory.storage.count else {  // a smaller buffer from the pool: the block goes to the file
            spool.returnMemory(memory)
            store(UnsafeRawBufferPointer(rebasing: full[0..<count]))
            return full
        }
        let next = memory.take(full, count: count)
        spool.filled(job.session, length: count, memory: memory)
        return next
    }

    /// Writes one block (from the block writer's buffer) into the next reserved slot; once the disk refuses, keeps
    /// this and later blocks in order.
    private func store(_ block: UnsafeRawBufferPointer) {
        if refused.isEmpty {
            do {
                try write(block, inBlockBuffer: true)
                return
            } catch {
                refusal = error
            }
        }
        refused.append(Array(block))
    }

    /// `inBlockBuffer`: the block lies at the start of the block writer's buffer, so it is written rounded up to the
    /// spool's alignment (whole aligned pages, no bounce copy under O_DIRECT; the slot is large enough).
    private func write(_ block: UnsafeRawBufferPointer, inBlockBuffer: Bool = false) throws(SystemError) {
        guard let spool, let offset = spool.tailOffset(job.session) else {
            throw SystemError(call: "pwrite", path: path, errno: EBADF)  // the ring is gone
        }
        let io = spool.configuration.io
        let padded = io.padded(block.count)
        let bytes =
            inBlockBuffer && padded != block.count && padded <= blockCapacity
                && padded <= spool.configuration.slotSize
            ? UnsafeRawBufferPointer(start: block.baseAddress, count: padded) : block
        try io.write(fd, bytes, offset, path)
        spool.filled(job.session, length: block.count)
    }

    /// Despool everything, truncate, retry. A disk still full while other jobs' spool files hold data waits until
    /// one of them gives space back and retries again; otherwise hand the refused blocks over in memory and fail.
    private func recover() async throws {
        guard let spool else { return }
        var pending = refused
        refused = []
        while true {
            await spool.waitDrained(job.session)
            if let failure = spool.failure(of: job.session) { throw fail(failure) }
            try? spool.truncateDrained(job.session)
            let generation = spool.freedGeneration
            try await spool.reserve(job.session, pending.count)
            var written = 0
            for block in pending {
                let error: SystemError? = block.withUnsafeBytes { b in
                    do throws(SystemError) {
                        try write(b)
                        return nil
                    } catch {
                        return error
                    }
                }
                if let error {
                    refusal = error
                    break
                }
                written += 1
            }
            spool.release(job.session, pending.count - written)
            pending.removeFirst(written)
            if pending.isEmpty {
                diskFullRecoveries += 1
                return
            }
            guard refusal?.kind == .noSpace,
                await spool.waitForFreedSpace(since: generation, except: job.session)
            else { break }
        }
        await spool.waitDrained(job.session)
        await spool.rescue(job.session, pending)
        throw fail(
            SpoolError(
                .writeFailed, job: job.name, path: path, underlying: refusal,
                detail: "after despooling and one retry"))
    }

    private func fail(_ error: SpoolError) -> SpoolError {
        failure = error
        return error
    }

    /// Ends the job: the last block is spooled, and once the despooler has moved everything the drive writer
    /// writes the EOS (with `status`, or `E` if the job failed here). Returns what the job left on tape.
    public func commit(status: Character = "T", errors: UInt32 = 0) async throws -> JobOutcome {
        guard !closed else { throw SpoolError(.jobClosed, job: job.name, path: path) }
        guard let spool else { return try await commitDirect(status: status, errors: errors) }
        var status = status
        var errors = errors
        if failure == nil {
            do {
                try await spool.reserve(job.session, 1)
                var used = 0
                try blocks.flush { full, count in
                    used += 1
                    return self.store(full, count: count)
                }
                spool.release(job.session, 1 - used + refused.count)
                if !refused.isEmpty { try await recover() }
            } catch {}
        }
        if failure != nil || spool.failure(of: job.session) != nil {
            if status == "T" { status = "E" }
            errors += 1
        }
        closed = true
        spool.commit(job.session, totals: JobTotals(files: files, bytes: bytes, status: status, errors: errors))
        let outcome = try await writer.outcome(of: job.session)
        await spool.removed(job.session)  // the job ends with its spool file gone
        if let failure = failure ?? spool.failure(of: job.session) { throw failure }
        return outcome
    }

    /// Abandons the job: nothing more is spooled; what already streams ends with status `A`.
    public func cancel() {
        guard let spool else { return cancelDirect() }
        closed = true
        spool.discard(job.session)
    }

    // MARK: direct jobs

    /// Submits the block writer's finished block (the first `count` bytes of `full`) in the pool buffer `buffer`
    /// (`BlockBuffer.take`: no copy when the sizes match); returns the memory the block writer goes on in.
    private static func submit(
        _ full: UnsafeMutableRawBufferPointer, count: Int, in buffer: BlockBuffer, session: SessionKey,
        to writer: DriveWriter
    ) -> UnsafeMutableRawBufferPointer {
        let next = buffer.take(full, count: count)
        writer.submit([.block(session, buffer)])
        return next
    }

    private func fail(_ error: DriveWriterError) -> DriveWriterError {
        if failure == nil {
            failure = SpoolError(.writeFailed, job: job.name, path: path, detail: "the drive writer failed: \(error)")
        }
        return error
    }

    /// Direct jobs: the last block goes to the writer together with the job's end; returns once the EOS is written.
    private func commitDirect(status: Character, errors: UInt32) async throws -> JobOutcome {
        closed = true
        defer { onEnd?() }
        var status = status
        var errors = errors
        var items: [DriveItem] = []
        if failure == nil && !blocks.isEmpty {
            let buffer = await writer.nextBuffer()
            try blocks.flush { full, count in buffer.take(full, count: count) }
            items.append(.block(job.session, buffer))
        }
        if failure != nil {
            if status == "T" { status = "E" }
            errors += 1
        }
        items.append(.end(job.session, JobTotals(files: files, bytes: bytes, status: status, errors: errors)))
        writer.submit(items)
        return try await writer.outcome(of: job.session)
    }

    /// Direct jobs: the pending partial block is dropped; the EOS (status `A`) follows what was already submitted.
    private func cancelDirect() {
        guard !closed else { return }
        closed = true
        writer.submit([.end(job.session, JobTotals(files: files, bytes: bytes, status: "A", errors: 1))])
        onEnd?()
    }
}
