import CCapstanLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with errno mapped to what the device layer cares about.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case notFound, permissionDenied, busy, noSpace, bufferTooSmall, ioError, notATape, unsupported
        case invalidArgument, readOnly, other
    }

    /// The call that failed (`pread`, `open` ...).
    public var call: String
    /// The file or device it was made on.
    public var path: String
    public var errno: Int32
    public var kind: Kind

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
        kind =
            switch errno {
            case ENOENT, ENXIO, ENODEV: .notFound
            case EACCES, EPERM: .permissionDenied
            case EBUSY: .busy
            case ENOSPC: .noSpace
            case ENOMEM: .bufferTooSmall
            case EIO: .ioError
            case ENOTTY: .notATape
            case ENOSYS, EOPNOTSUPP: .unsupported
            case EINVAL: .invalidArgument
            case EROFS: .readOnly
            default: .other
            }
    }

    public var description: String {
        "\(call)(\(path)): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The one place the device layer enters the kernel: every call retries on EINTR and throws `SystemError`.
public enum SystemCall {
    @inline(__always)
    static func check<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(SystemError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemError(call: call, path: path, errno: code)
        }
    }

    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(SystemError) -> Int32 {
        try check("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    public static func close(_ fd: Int32, path: String) throws(SystemError) {
        // close is not retried on EINTR on Linux: the descriptor is released either way.
        if Glibc.close(fd) < 0 && errno != EINTR { throw SystemError(call: "close", path: path, errno: errno) }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns the count (0 at end of file).
    public static func pread(
        _ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, offset: Int64, path: String
    ) throws(SystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try check("pread", path) {
                Glibc.pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `buffer` at `offset`.
    public static func pwrite(
        _ fd: Int32, _ buffer: UnsafeRawBufferPointer, offset: Int64, path: String
    ) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let n = try check("pwrite", path) {
                Glibc.pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if n == 0 { throw SystemError(call: "pwrite", path: path, errno: ENOSPC) }
            done += n
        }
    }

    /// One `read` (a tape record); returns the count.
    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, path: String) throws(SystemError) -> Int {
        try check("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// One `write` (a tape record); returns the count.
    public static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(SystemError) -> Int {
        try check("write", path) { Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }

    public static func truncate(_ fd: Int32, length: Int64, path: String) throws(SystemError) {
        _ = try check("ftruncate", path) { Glibc.ftruncate(fd, off_t(length)) }
    }

    public static func fileSize(_ fd: Int32, path: String) throws(SystemError) -> Int64 {
        var st = stat()
        _ = try check("fstat", path) { fstat(fd, &st) }
        return Int64(st.st_size)
    }

    /// The type bits (`S_IFMT`) of `path`, following symbolic links (a `/dev/tape/by-id` link gives its node's).
    public static func fileType(_ path: String) throws(SystemError) -> mode_t {
        var info = stat()
        _ = try check("stat", path) { stat(path, &info) }
        return info.st_mode & S_IFMT
    }

    public static func sync(_ fd: Int32, path: String) throws(SystemError) {
        _ = try check("fsync", path) { fsync(fd) }
    }
}

extension SystemCall {
    /// One ioctl with a pointer argument (MTIOCTOP, MTIOCGET) through the C edge's non-variadic wrapper.
    public static func ioctl(
        _ fd: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer, name: String, path: String
    ) throws(SystemError) {
        _ = try check("ioctl(\(name))", path) { capstan_ioctl_ptr(fd, request, argument) }
    }
}

extension SystemCall {
    /// The `open` flag that makes reads and writes bypass the page cache (the file system may refuse it: EINVAL).
    public static var directFlag: Int32 { capstan_O_DIRECT() }

    /// Whether `fd` was opened (and still is) with `directFlag`.
    public static func isDirect(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && flags & directFlag != 0
    }

    /// Turns `directFlag` off on an open descriptor (its later reads and writes go through the page cache).
    public static func clearDirect(_ fd: Int32, path: String) throws(SystemError) {
        let flags = try check("fcntl", path) { fcntl(fd, F_GETFL) }
        _ = try check("fcntl", path) { fcntl(fd, F_SETFL, flags & ~directFlag) }
    }

    /// `sync_file_range(2)` on `range`: starts its writeback; with `wait`, also waits until writeback of the range
    /// (what was under way before and what this call started) is done, so an I/O error of those pages shows here.
    public static func syncRange(_ fd: Int32, _ range: Range<Int64>, wait: Bool, path: String) throws(SystemError) {
        _ = try check("sync_file_range", path) {
            capstan_sync_file_range(fd, range.lowerBound, range.upperBound - range.lowerBound, wait ? 1 : 0)
        }
    }

    /// `fallocate(2)` with `FALLOC_FL_KEEP_SIZE` on `range`: its blocks are allocated, the file's size is unchanged.
    public static func preallocate(_ fd: Int32, _ range: Range<Int64>, path: String) throws(SystemError) {
        _ = try check("fallocate", path) { capstan_preallocate(fd, range.lowerBound, range.upperBound - range.lowerBound) }
    }

    /// Asks the kernel to write back and drop the page cache of a byte range (advice: errors are ignored).
    public static func dropCache(_ fd: Int32, offset: Int64, length: Int) {
        _ = posix_fadvise(fd, off_t(offset), off_t(length), Int32(POSIX_FADV_DONTNEED))
    }
}
