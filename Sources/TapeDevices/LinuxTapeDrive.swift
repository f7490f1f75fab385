import CCapstanLinux

#if canImport(Glibc)
import Glibc
#endif

/// A tape drive through the Linux st driver on its no-rewind node (`/dev/nstN` or a `/dev/tape/by-id/...-nst`
/// link), in variable block mode: one read or write is one tape record. MTIOCTOP and MTIOCGET go through
/// `SystemCall.ioctl`, the device layer's one funnel for system calls.
///
/// st facts this relies on: read() returns 0 at a filemark (and the status then shows EOF) and also the first time
/// it meets end of data; a record larger than the buffer fails with ENOMEM and leaves the tape *after* it (so this
/// type spaces back one record to keep the contract); write() fails with ENOSPC at end of medium; closing after a
/// write makes st write a filemark.
///
/// Reads want a buffer **more than twice** the largest record: an emulated drive (tgt) inverts the transport
/// residual when a record is shorter than the buffer, so only `buffer - record` bytes arrive intact. `readBlock`
/// therefore treats a record longer than half the buffer like one longer than the buffer (spaces back over it and
/// throws `blockLargerThanBuffer` with a size that is safe); on a real drive this costs one re-read per growth.
public final class LinuxTapeDrive: TapeDrive {
    public let path: String
    private let writable: Bool
    private var fd: Int32

    /// The read buffer to start with for a drive: more than twice a 2 MiB block (st's and Bacula's common maximum).
    public static let minimumReadBuffer = (4 << 20) + (64 << 10)

    /// Opens the drive (read-write unless `writable` is false), selects variable block mode and turns fast
    /// end-of-data spacing off so the file number stays known after `seekEndOfData()`. The node is opened
    /// non-blocking, so this succeeds on an empty or still threading drive: st then refuses the mode setting
    /// (ENOMEDIUM, or EIO while not ready), which is done again by `waitUntilReady` or by the first operation that
    /// moves the tape (and that operation fails the same way while there is still no cartridge).
    public init(path: String, writable: Bool = true) throws {
        self.path = path
        self.writable = writable
        fd = try SystemCall.open(path, flags: (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK)
        do {
            try configure()
        } catch TapeError.system(let e) where e.errno == ENOMEDIUM || e.kind == .ioError {
            // no cartridge online yet: configured later
        } catch {
            // deinit still runs for a fully initialised object whose init throws: leave it nothing to close twice
            // (the descriptor number may already belong to another thread's open by then).
            _ = Glibc.close(fd)
            fd = -1
            throw error
        }
    }

    /// Variable block mode, and fast MTEOM off.
    private func configure() throws {
        try operation(MTSETBLK, 0)
        // Clearing a driver option needs CAP_SYS_ADMIN; fast MTEOM is off by default, so EPERM is harmless.
        do {
            try operation(MTSETDRVBUFFER, Int32(bitPattern: UInt32(MT_ST_CLEARBOOLEANS) | UInt32(MT_ST_FAST_MTEOM)))
        } catch TapeError.system(let e) where e.kind == .permissionDenied {}
        configured = true
    }

    /// Whether `configure()` has succeeded on the open descriptor.
    private var configured = false

    /// Configures the drive first if it had no cartridge online when it was opened.
    private func ready() throws { if !configured { try configure() } }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    /// Closes the node; st writes a filemark first if the last operation was a write.
    public func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        do { try SystemCall.close(fd, path: path) } catch { throw TapeError.system(error) }
    }

    public func writeBlock(_ block: UnsafeRawBufferPointer) throws {
        try ready()
        let n: Int
        do {
            n = try SystemCall.write(fd, block, path: path)
        } catch {
            switch error.kind {
            case .noSpace: throw TapeError.endOfMedium
            case .readOnly, .permissionDenied: throw TapeError.writeProtected
            default: throw TapeError.system(error)
            }
        }
        if n != block.count { throw TapeError.endOfMedium }
    }

    public func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead {
        try ready()
        var count = min(buffer.count, readLimit)
        let n: Int
        while true {
            do {
                n = try SystemCall.read(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), path: path)
                break
            } catch {
                if error.kind == .invalidArgument, let smaller = Self.smallerReadCount(than: count) {
                    // In variable block mode st refuses (before any I/O) a count above the drive's READ BLOCK LIMITS
                    // maximum (tgt: st logs "Block limits 4 - 1048576 bytes"). No record can be larger than the
                    // drive's limit, so read at most that from now on.
                    readLimit = smaller
                    count = smaller
                    continue
                }
                if error.kind == .bufferTooSmall {
                    try operation(MTBSR, 1)
                    if count < buffer.count {
                        throw TapeError.system(
                            SystemError(call: "read(\(count) bytes, the most this drive accepts)", path: path, errno: ENOMEM))
                    }
                    throw TapeError.blockLargerThanBuffer(needed: nil)
                }
                if error.kind == .ioError, try status().atEndOfData { return .endOfData }
                throw TapeError.system(error)
            }
        }
        // An emulated drive (tgt) reports end of data as BLANK CHECK with EOM and no residue, and st then hands back
        // the whole (stale) buffer: a read that fills the buffer is checked against the driver's end-of-data state.
        if n == count, try status().atEndOfData { return .endOfData }
        if n > 0 && n > count / 2 && count == buffer.count {
            // More than half the buffer: on tgt the bytes past `buffer - n` are stale (inverted residual). Read it
            // again with a buffer more than twice as large; the count st reports is right (it uses the sense data).
            // When the drive's block limit already caps the read there is nothing larger to ask for.
            try operation(MTBSR, 1)
            throw TapeError.blockLargerThanBuffer(needed: Self.safeReadBuffer(forRecord: n))
        }
        if n > 0 { return .block(count: n) }
        return try status().afterFilemark ? .filemark : .endOfData
    }

    /// The read count cap for this drive: unlimited until the kernel refuses a read with EINVAL (the drive's block
    /// limit, or the largest single transfer st and the host adapter allow), then the power of two it accepted.
    public private(set) var readLimit = Int.max

    /// The next count to try after st refused `count`: the largest power of two below it, not under 64 KiB.
    static func smallerReadCount(than count: Int) -> Int? {
        guard count > 64 << 10 else { return nil }
        var p = 64 << 10
        while p * 2 < count { p *= 2 }
        return p
    }

    public func writeFilemarks(_ count: Int) throws {
        guard count > 0 else { return }
        try ready()
        try operation(MTWEOF, try Self.count(count))
    }

    public func spaceFiles(_ count: Int) throws {
        guard count != 0 else { return }
        try ready()
        try spacing(count > 0 ? MTFSF : MTBSF, count)
    }

    public func spaceRecords(_ count: Int) throws {
        guard count != 0 else { return }
        try ready()
        try spacing(count > 0 ? MTFSR : MTBSR, count)
    }

    public func rewind() throws {
        try ready()
        try operation(MTREW, 1)
    }

    /// Spaces to end of data (MTEOM). When st cannot tell the file number afterwards (tgt's end-of-data sense has
    /// no residue, so st reports 0x7FFFFF or more; or -1), the files are counted instead: rewind, FSF 1 until it fails, then
    /// rewind and FSF exactly that many. The head then stands after the **last filemark** and st's count is right.
    /// Records after the last filemark that no filemark closes are not preserved by that fallback (the next write
    /// goes over them); Bacula always ends a session with a filemark, so a Bacula tape has none.
    public func seekEndOfData() throws {
        try ready()
        try operation(MTEOM, 1)
        if Self.fileNumber(from: try rawStatus()) != nil { return }
        let files = try countFiles()
        try rewind()
        if files > 0 { try operation(MTFSF, try Self.count(files)) }
    }

    /// Rewinds and spaces forward one file at a time until the drive refuses (end of data): the number of filemarks.
    private func countFiles() throws -> Int {
        try rewind()
        var files = 0
        while files < Self.maximumFileCount {
            do {
                try operation(MTFSF, 1)
            } catch TapeError.system(let e) where e.kind == .ioError {
                return files
            }
            files += 1
        }
        throw TapeError.system(SystemError(call: "MTIOCTOP(MTFSF) after \(files) filemarks", path: path, errno: EIO))
    }

    /// A bound for counting files, far above what any cartridge holds (it stops a drive that never reports EOD).
    static let maximumFileCount = 10_000_000

    /// Waits until the drive reports a cartridge online (after a changer load a real drive needs seconds to minutes
    /// to thread the tape). st learns a drive's readiness when the node is opened, so each poll after the first
    /// reopens the node (same mode) before asking MTIOCGET; once online, variable block mode is selected again.
    /// Throws `TapeError.notReady` naming the node and the time waited.
    public func waitUntilReady(
        timeout: Duration, pollInterval: Duration = .milliseconds(500), clock: any DriveClock = MonotonicDriveClock()
    ) throws {
        let start = clock.now()
        let limit = Self.nanoseconds(timeout)
        let step = max(1_000_000, Self.nanoseconds(pollInterval))
        var reopened = false
        while true {
            if try status().online {
                if reopened || !configured { try configure() }
                return
            }
            let waited = clock.now() &- start
            guard waited < limit else { throw TapeError.notReady(path: path, waited: .nanoseconds(Int64(waited))) }
            clock.sleep(until: clock.now() + min(step, limit - waited))
            try reopen()
            reopened = true
        }
    }

    /// Closes and opens the node again (st runs TEST UNIT READY on open).
    private func reopen() throws {
        configured = false
        if fd >= 0 {
            do { try SystemCall.close(fd, path: path) } catch { throw TapeError.system(error) }
            fd = -1
        }
        do {
            fd = try SystemCall.open(path, flags: (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK)
        } catch { throw TapeError.system(error) }
    }

    private static func nanoseconds(_ d: Duration) -> UInt64 {
        let (seconds, attoseconds) = d.components
        guard seconds >= 0 else { return 0 }
        let s = UInt64(clamping: seconds)
        let (whole, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max / 2 : whole &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// Rewinds and ejects the cartridge (MTOFFL), so the changer can take it.
    public func unload() throws { try operation(MTOFFL, 1) }

    /// Loads the cartridge in the drive (MTLOAD), for drives that need it after a changer move.
    public func load() throws { try operation(MTLOAD, 1) }

    public func position() throws -> TapePosition { try status().position }

    public func status() throws -> TapeStatus { Self.status(from: try rawStatus()) }

    /// MTIOCGET as the driver fills it.
    private func rawStatus() throws -> mtget {
        var get = mtget()
        do {
            try SystemCall.ioctl(fd, UInt(capstan_MTIOCGET()), &get, name: "MTIOCGET", path: path)
        } catch { throw TapeError.system(error) }
        return get
    }

    /// st's file number, or nil when st does not know it: -1, or 0x7FFFFF and above. st's MTEOM spaces forward
    /// 0x7FFFFF filemarks and subtracts the residue the drive reports; tgt's end-of-data sense has none, so st ends at
    /// (file it started from) + 0x7FFFFF: 8388607 from the beginning, 16777214 from there (seen in the VM tier).
    public static func fileNumber(from get: mtget) -> Int? {
        let file = Int(get.mt_fileno)
        return file < 0 || file >= unknownFileNumber ? nil : file
    }

    /// The filemark count st asks for when spacing to end of data; a file number this large means st never learned
    /// how many it passed.
    public static let unknownFileNumber = 0x7F_FFFF

    /// A read buffer more than twice `record` bytes, with 64 KiB to spare, rounded to 64 KiB.
    public static func safeReadBuffer(forRecord record: Int) -> Int {
        let wanted = 2 * record + (64 << 10)
        return (wanted + 0xFFFF) & ~0xFFFF
    }

    /// Interprets MTIOCGET (pure, so it is tested without a drive). Unknown positions (-1) come out as 0.
    public static func status(from get: mtget) -> TapeStatus {
        let g = Int(get.mt_gstat)
        return TapeStatus(
            position: TapePosition(file: max(0, Int(get.mt_fileno)), block: max(0, Int(get.mt_blkno))),
            atBeginning: capstan_GMT_BOT(g) != 0, atEndOfData: capstan_GMT_EOD(g) != 0,
            afterFilemark: capstan_GMT_EOF(g) != 0, writeProtected: capstan_GMT_WR_PROT(g) != 0,
            online: capstan_GMT_ONLINE(g) != 0)
    }

    // MARK: MTIOCTOP

    private func operation(_ code: Int32, _ count: Int32) throws {
        var op = mtop()
        op.mt_op = Int16(code)
        op.mt_count = count
        do {
            try SystemCall.ioctl(fd, UInt(capstan_MTIOCTOP()), &op, name: "MTIOCTOP \(code)", path: path)
        } catch { throw TapeError.system(error) }
    }

    /// Spacing that stops early says why: a filemark (records), beginning of tape, or end of data.
    private func spacing(_ code: Int32, _ count: Int) throws {
        do {
            try operation(code, try Self.count(abs(count)))
        } catch TapeError.system(let e) where e.kind == .ioError {
            let s = try status()
            if s.atEndOfData { throw TapeError.endOfData(s.position) }
            if s.atBeginning && count < 0 { throw TapeError.beginningOfTape }
            if (code == MTFSR || code == MTBSR) && s.afterFilemark { throw TapeError.filemarkReached(s.position) }
            throw TapeError.system(e)
        }
    }

    private static func count(_ n: Int) throws -> Int32 {
        guard let c = Int32(exactly: n) else {
            throw TapeError.system(SystemError(call: "MTIOCTOP", path: "", errno: EINVAL))
        }
        return c
    }
}
