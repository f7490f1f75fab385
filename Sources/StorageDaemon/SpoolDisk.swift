#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import TapeDevices

/// The spool's disk calls around the page cache (`SpoolIO.system`). A spool file is written once and read once, so
/// caching it only costs a kernel copy per direction and evicts what is worth caching: spool files are opened with
/// O_DIRECT and moved in whole aligned slots (address, length and offset multiples of `alignment`; the spooler and
/// the despooler pass such buffers). An unaligned buffer goes through an aligned bounce buffer. Where the file
/// system refuses O_DIRECT (EINVAL at open, as tmpfs did before Linux 6.6, or at a transfer), the file is used
/// through the page cache and each range is dropped from it after the transfer (POSIX_FADV_DONTNEED); that is
/// logged once.
/// The environment variable CAPSTAN_SPOOL_PAGE_CACHE=1 restores the plain page-cache I/O of before (for
/// `scripts/bench-sd.sh`'s before/after comparison; not a configuration).
enum SpoolDisk {
    /// What O_DIRECT needs of address, length and offset (a page covers every logical block size in use).
    static let alignment = 4096

    private static let fallbackLogged = Atomic<Bool>(false)
    private static let logger = Logger(label: "capstan.spool")
    /// CAPSTAN_SPOOL_PAGE_CACHE is set: plain buffered I/O, no O_DIRECT and no dropped pages.
    static let pageCache = getenv("CAPSTAN_SPOOL_PAGE_CACHE").map { String(cString: $0) != "0" } ?? false

    static func create(_ path: String) throws(SystemError) -> Int32 {
        let flags = O_RDWR | O_CREAT | O_TRUNC
        if pageCache { return try SystemCall.open(path, flags: flags, mode: 0o600) }
        do throws(SystemError) {
            return try SystemCall.open(path, flags: flags | SystemCall.directFlag, mode: 0o600)
        } catch {
            guard error.errno == EINVAL else { throw error }
            fellBack(path, error)
            return try SystemCall.open(path, flags: flags, mode: 0o600)
        }
    }

    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ offset: Int64, _ path: String)
        throws(SystemError)
    {
        if SystemCall.isDirect(fd) {
            do throws(SystemError) {
                if isAligned(bytes.baseAddress, bytes.count, offset) {
                    try SystemCall.pwrite(fd, bytes, offset: offset, path: path)
                } else {
                    try withBounce(bytes.count) { bounce throws(SystemError) in
                        bounce.copyMemory(from: bytes)
                        try SystemCall.pwrite(fd, UnsafeRawBufferPointer(bounce), offset: offset, path: path)
                    }
                }
                return
            } catch {
                guard error.errno == EINVAL else { throw error }
                try SystemCall.clearDirect(fd, path: path)
                fellBack(path, error)
            }
        }
        try SystemCall.pwrite(fd, bytes, offset: offset, path: path)
        if !pageCache { SystemCall.dropCache(fd, offset: offset, length: bytes.count) }
    }

    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, _ offset: Int64, _ path: String)
        throws(SystemError) -> Int
    {
        if SystemCall.isDirect(fd) {
            do throws(SystemError) {
                if isAligned(UnsafeRawPointer(buffer.baseAddress), buffer.count, offset) {
                    return try SystemCall.pread(fd, buffer, offset: offset, path: path)
                }
                return try withBounce(buffer.count) { bounce throws(SystemError) -> Int in
                    let n = min(try SystemCall.pread(fd, bounce, offset: offset, path: path), buffer.count)
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bounce[0..<n]))
                    return n
                }
            } catch {
                guard error.errno == EINVAL else { throw error }
                try SystemCall.clearDirect(fd, path: path)
                fellBack(path, error)
            }
        }
        let n = try SystemCall.pread(fd, buffer, offset: offset, path: path)
        if !pageCache { SystemCall.dropCache(fd, offset: offset, length: buffer.count) }
        return n
    }

    private static func isAligned(_ address: UnsafeRawPointer?, _ count: Int, _ offset: Int64) -> Bool {
        guard let address else { return count == 0 }
        return Int(bitPattern: address) % alignment == 0 && count % alignment == 0 && offset % Int64(alignment) == 0
    }

    /// Runs `body` with a zeroed aligned buffer of `count` rounded up to `alignment` (rare: the hot path passes
    /// aligned slots).
    private static func withBounce<T>(
        _ count: Int, _ body: (UnsafeMutableRawBufferPointer) throws(SystemError) -> T
    ) throws(SystemError) -> T {
        let bounce = UnsafeMutableRawBufferPointer.allocate(byteCount: SpoolIO.system.padded(count), alignment: alignment)
        defer { bounce.deallocate() }
        bounce.initializeMemory(as: UInt8.self, repeating: 0)
        return try body(bounce)
    }

    private static func fellBack(_ path: String, _ error: SystemError) {
        guard !fallbackLogged.exchange(true, ordering: .relaxed) else { return }
        logger.notice(
            "spool file \(path): the file system refuses O_DIRECT (\(error)); spool files go through the page cache, dropped after each transfer",
            metadata: ["spool": "\(path)"])
    }
}
