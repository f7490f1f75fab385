#if canImport(Glibc)
import Glibc
#endif
import TapeDevices

/// The disk calls the spool makes, as values so a test can put a full disk or a failing device under it. The
/// default, `system`, goes through TapeDevices' `SystemCall` funnel (EINTR retried, errno typed as `SystemError`).
public struct SpoolIO: Sendable {
    /// Creates (truncating) a spool file for reading and writing; returns the descriptor.
    public var create: @Sendable (_ path: String) throws(SystemError) -> Int32
    /// Writes all bytes at an offset.
    public var write: @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ offset: Int64, _ path: String)
        throws(SystemError) -> Void
    /// Reads up to the buffer's size at an offset; returns the count.
    public var read: @Sendable (_ fd: Int32, _ into: UnsafeMutableRawBufferPointer, _ offset: Int64, _ path: String)
        throws(SystemError) -> Int
    /// Sets the file's length (0 frees the disk space of a drained spool).
    public var truncate: @Sendable (_ fd: Int32, _ length: Int64, _ path: String) throws(SystemError) -> Void
    /// Closes and removes the file.
    public var remove: @Sendable (_ fd: Int32, _ path: String) -> Void

    public init(
        create: @escaping @Sendable (String) throws(SystemError) -> Int32,
        write: @escaping @Sendable (Int32, UnsafeRawBufferPointer, Int64, String) throws(SystemError) -> Void,
        read: @escaping @Sendable (Int32, UnsafeMutableRawBufferPointer, Int64, String) throws(SystemError) -> Int,
        truncate: @escaping @Sendable (Int32, Int64, String) throws(SystemError) -> Void,
        remove: @escaping @Sendable (Int32, String) -> Void
    ) {
        self.create = create
        self.write = write
        self.read = read
        self.truncate = truncate
        self.remove = remove
    }

    public static let system = SpoolIO(
        create: { path throws(SystemError) in try SystemCall.open(path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600) },
        write: { fd, bytes, offset, path throws(SystemError) in
            try SystemCall.pwrite(fd, bytes, offset: offset, path: path)
        },
        read: { fd, buffer, offset, path throws(SystemError) in
            try SystemCall.pread(fd, buffer, offset: offset, path: path)
        },
        truncate: { fd, length, path throws(SystemError) in try SystemCall.truncate(fd, length: length, path: path) },
        remove: { fd, path in
            try? SystemCall.close(fd, path: path)
            unlink(path)
        })
}
