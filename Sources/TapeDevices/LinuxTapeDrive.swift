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
public final class LinuxTapeDrive: TapeDrive {
    public let path: String
    private var fd: Int32

    /// Opens the drive (read-write unless `writable` is false), selects variable block mode and turns fast
    /// end-of-data spacing off so the file number stays known after `seekEndOfData()`.
    public init(path: String, writable: Bool = true) throws {
        self.path = path
        fd = try SystemCall.open(path, flags: (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK)
        do {
            try operation(MTSETBLK, 0)
            // Clearing a driver option needs CAP_SYS_ADMIN; fast MTEOM is off by default, so EPERM is harmless.
            do {
                try operation(MTSETDRVBUFFER, Int32(bitPattern: UInt32(MT_ST_CLEARBOOLEANS) | UInt32(MT_ST_FAST_MTEOM)))
            } catch TapeError.system(let e) where e.kind == .permissionDenied {}
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    /// Closes the node; st writes a filemark first if the last operation was a write.
    public func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        do { try SystemCall.close(fd, path: path) } catch { throw TapeError.system(error) }
    }

    public func writeBlock(_ block: UnsafeRawBufferPointer) throws {
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
        let n: Int
        do {
            n = try SystemCall.read(fd, buffer, path: path)
        } catch {
            if error.kind == .bufferTooSmall {
                try operation(MTBSR, 1)
                throw TapeError.blockLargerThanBuffer(needed: nil)
            }
            if error.kind == .ioError, try status().atEndOfData { return .endOfData }
            throw TapeError.system(error)
        }
        // An emulated drive (tgt) reports end of data as BLANK CHECK with EOM and no residue, and st then hands back
        // the whole (stale) buffer: a read that fills the buffer is checked against the driver's end-of-data state.
        if n == buffer.count, try status().atEndOfData { return .endOfData }
        if n > 0 { return .block(count: n) }
        return try status().afterFilemark ? .filemark : .endOfData
    }

    public func writeFilemarks(_ count: Int) throws {
        guard count > 0 else { return }
        try operation(MTWEOF, try Self.count(count))
    }

    public func spaceFiles(_ count: Int) throws {
        guard count != 0 else { return }
        try spacing(count > 0 ? MTFSF : MTBSF, count)
    }

    public func spaceRecords(_ count: Int) throws {
        guard count != 0 else { return }
        try spacing(count > 0 ? MTFSR : MTBSR, count)
    }

    public func rewind() throws { try operation(MTREW, 1) }

    public func seekEndOfData() throws { try operation(MTEOM, 1) }

    /// Rewinds and ejects the cartridge (MTOFFL), so the changer can take it.
    public func unload() throws { try operation(MTOFFL, 1) }

    /// Loads the cartridge in the drive (MTLOAD), for drives that need it after a changer move.
    public func load() throws { try operation(MTLOAD, 1) }

    public func position() throws -> TapePosition { try status().position }

    public func status() throws -> TapeStatus {
        var get = mtget()
        do {
            try SystemCall.ioctl(fd, UInt(capstan_MTIOCGET()), &get, name: "MTIOCGET", path: path)
        } catch { throw TapeError.system(error) }
        return Self.status(from: get)
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
