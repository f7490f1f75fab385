#if canImport(Glibc)
import Glibc
#endif
import BaculaVolume

/// A restore step that failed, with the path it concerned.
public struct RestoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// Writes restored files below a directory (the original absolute path is appended to it, as `bextract` does):
/// regular files (sparse chunks become holes), directories, symbolic links, hard links, fifos and device nodes,
/// with owner, mode and times. Directories get their owner, mode and times in `finish()`, after their contents.
public final class RestoreWriter {
    public let root: String
    /// Files (of any type) restored so far.
    public private(set) var filesRestored = 0
    private var open: (fd: Int32, path: String, attributes: FileAttributes, end: Int64, sparse: Bool)?
    private var directories: [(path: String, stat: EncodedStat)] = []

    public init(root: String) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    deinit { if let o = open { Glibc.close(o.fd) } }

    /// Where `name` (an absolute path from the volume) is restored.
    public func target(for name: String) -> String {
        var n = name
        while n.hasSuffix("/") && n.count > 1 { n.removeLast() }
        return root + (n.hasPrefix("/") ? n : "/" + n)
    }

    /// Starts a file. Regular files stay open for `write`; everything else is complete on return.
    public func begin(_ attributes: FileAttributes) throws {
        try end()
        let path = target(for: attributes.name)
        try makeParents(of: path)
        let mode = mode_t(truncatingIfNeeded: attributes.stat.mode)
        switch attributes.fileType {
        case .directoryEnd, .directoryBegin, .directoryNoChange:
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw fail("mkdir", path) }
            directories.append((path, attributes.stat))
            filesRestored += 1
        case .symbolicLink:
            removeExisting(path)
            guard symlink(attributes.link, path) == 0 else { throw fail("symlink", path) }
            _ = lchown(path, uid_t(truncatingIfNeeded: attributes.stat.uid), gid_t(truncatingIfNeeded: attributes.stat.gid))
            try setTimes(path: path, fd: nil, stat: attributes.stat, noFollow: true)
            filesRestored += 1
        case .hardLinkSaved:
            removeExisting(path)
            guard link(target(for: attributes.link), path) == 0 else { throw fail("link", path) }
            filesRestored += 1
        case .regular, .emptyRegular:
            removeExisting(path)
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw fail("open", path) }
            open = (fd, path, attributes, 0, false)
        case .special, .fifo:
            removeExisting(path)
            let rc: Int32 =
                (mode & S_IFMT) == S_IFIFO
                ? mkfifo(path, mode & 0o7777)
                : mknod(path, mode, dev_t(truncatingIfNeeded: attributes.stat.rdev))
            guard rc == 0 else { throw fail("mknod", path) }
            try applyOwnerModeTimes(path: path, fd: nil, stat: attributes.stat)
            filesRestored += 1
        default:
            break  // types without content to restore (NOACCESS, NOSTAT, DELETED ...)
        }
    }

    /// Writes a chunk of the open regular file; a chunk with an offset is written there (skipped ranges stay holes).
    public func write(_ chunk: FileDataChunk) throws {
        guard var o = open else { return }
        var at = o.end
        if let offset = chunk.offset {
            guard offset <= UInt64(Int64.max) else { throw RestoreError(path: o.path, operation: "seek", errno: EINVAL) }
            at = Int64(offset)
            o.sparse = true
        }
        var done = 0
        try chunk.bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = pwrite(o.fd, raw.baseAddress! + done, raw.count - done, off_t(at) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw fail("write", o.path)
                }
                done += n
            }
        }
        o.end = max(o.end, at + Int64(done))
        if chunk.offset == nil { o.end = at + Int64(done) }
        open = o
    }

    /// Completes the open regular file (length, owner, mode, times).
    public func end() throws {
        guard let o = open else { return }
        open = nil
        defer { Glibc.close(o.fd) }
        let size = o.attributes.stat.size
        if o.end < size, ftruncate(o.fd, off_t(size)) != 0 { throw fail("ftruncate", o.path) }
        try applyOwnerModeTimes(path: o.path, fd: o.fd, stat: o.attributes.stat)
        filesRestored += 1
    }

    /// Ends the open file and sets directories' owner, mode and times, deepest first.
    public func finish() throws {
        try end()
        for d in directories.sorted(by: { $0.path.count > $1.path.count }) {
            try applyOwnerModeTimes(path: d.path, fd: nil, stat: d.stat)
        }
        directories.removeAll()
    }

    // MARK: helpers

    private func fail(_ operation: String, _ path: String) -> RestoreError {
        RestoreError(path: path, operation: operation, errno: errno)
    }

    private func removeExisting(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR { unlink(path) }
    }

    private func makeParents(of path: String) throws {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        components.removeLast()
        var current = path.hasPrefix("/") ? "" : "."
        for c in components {
            current += "/" + c
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw fail("mkdir", current) }
        }
    }

    private func applyOwnerModeTimes(path: String, fd: Int32?, stat: EncodedStat) throws {
        let uid = uid_t(truncatingIfNeeded: stat.uid)
        let gid = gid_t(truncatingIfNeeded: stat.gid)
        let mode = mode_t(truncatingIfNeeded: stat.mode) & 0o7777
        if let fd {
            _ = fchown(fd, uid, gid)  // only root may give files away; mode and times still apply
            if fchmod(fd, mode) != 0 { throw fail("chmod", path) }
        } else {
            _ = lchown(path, uid, gid)
            if chmod(path, mode) != 0 { throw fail("chmod", path) }
        }
        try setTimes(path: path, fd: fd, stat: stat, noFollow: false)
    }

    private func setTimes(path: String, fd: Int32?, stat: EncodedStat, noFollow: Bool) throws {
        var times = [
            timespec(tv_sec: Int(stat.accessTime), tv_nsec: 0),
            timespec(tv_sec: Int(stat.modificationTime), tv_nsec: 0),
        ]
        let rc: Int32 =
            if let fd {
                futimens(fd, &times)
            } else {
                utimensat(AT_FDCWD, path, &times, noFollow ? AT_SYMLINK_NOFOLLOW : 0)
            }
        if rc != 0 { throw fail("utimens", path) }
    }
}
