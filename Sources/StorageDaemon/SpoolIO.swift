#if canImport(Glibc)
import Glibc
#endif
import TapeDevices

/// The disk calls the spool makes, as values so a test can put a full disk or a failing device under it. The
/// default, `system`, goes through TapeDevices' `SystemCall` funnel (EINTR retried, errno typed as `SystemError`)
/// and around the page cache (`SpoolDisk`: O_DIRECT, or dropped pages where the file system refuses it).
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
    /// The transfer size and address alignment these calls move without an extra copy (1: any). The spooler writes
    /// a block as its slot's first bytes rounded up to it, and the despooler reads as much back (the bytes past a
    /// block's length in its slot mean nothing); spool slots are a multiple of it.
    public var alignment: Int

    public init(
        create: @escaping @Sendable (String) throws(SystemError) -> Int32,
        write: @escaping @Sendable (Int32, UnsafeRawBufferPointer, Int64, String) throws(SystemError) -> Void,
        read: @escaping @Sendable (Int32, UnsafeMutableRawBufferPointer, Int64, String) throws(SystemError) -> Int,
        truncate: @escaping @Sendable (Int32, Int64, String) throws(SystemError) -> Void,
        remove: @escaping @Sendable (Int32, String) -> Void,
        alignment: Int = 1
    ) {
        self.create = create
        self.write = write
        self.read = read
        self.truncate = truncate
        self.remove = remove
        self.alignment = max(1, alignment)
    }

    /// `count` rounded up to `alignment`.
    public func padded(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }

    public static let system = SpoolIO(
        create: { path throws(SystemError) in try SpoolDisk.create(path) },
        write: { fd, bytes, offset, path throws(SystemError) in try SpoolDisk.write(fd, bytes, offset, path) },
        read: { fd, buffer, offset, path throws(SystemError) in try SpoolDisk.read(fd, buffer, offset, path) },
        truncate: { fd, length, path throws(SystemError) in try SystemCall.truncate(fd, length: length, path: path) },
        remove: { fd, path in
            try? SystemCall.close(fd, path: path)
            unlink(path)
        },
        alignment: SpoolDisk.alignment)
}
