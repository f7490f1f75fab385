import BaculaVolume
import FileDaemonProtocol
import CCapstanLinux
import Glibc

/// Restores records as they arrive from the SD (spec §3.2.8, §3.4.6): an attribute record starts a file at
/// `where` + its name, data records fill it (plain, GZIP, LZO, sparse holes), digest and other streams
/// are skipped. Existing files are treated by the Replace policy. Owners, modes and times are set after the
/// data; directories' after all of their contents (`finish`). A damaged record is reported for its file and the
/// restore goes on. Names are bytes all the way.
final class ClientRestorer {
    let whereDirectory: [UInt8]
    let replace: ReplacePolicy
    let prefixLinks: Bool
    /// The `regexwhere=` substitutions (Strip/Add Prefix, Add Suffix), applied instead of `where`.
    let regexWhere: RegexWhere?
    private(set) var filesRestored: Int64 = 0
    private(set) var bytesRestored: Int64 = 0
    /// Problems, one line each (path and cause); the session sends them as job errors.
    private(set) var problems: [String] = []
    private var open: (fd: Int32, path: BytePath, record: AttributeRecord, end: Int64)?
    private var current: (fileIndex: Int32, skip: Bool, path: BytePath?)?
    private var directories: [(path: BytePath, stat: EncodedStat)] = []

    init(request: RestoreRequest) throws {
        var base = Array(request.whereDirectory.utf8)
        while base.count > 1, base.last == UInt8(ascii: "/") { base.removeLast() }
        if base == [UInt8(ascii: "/")] { base = [] }
        whereDirectory = base
        replace = request.replace
        prefixLinks = request.prefixLinks
        regexWhere = try request.regexWhere.flatMap { $0.isEmpty ? nil : try RegexWhere($0) }
    }

    deinit { if let o = open { close(o.fd) } }

    /// Where a name from the backup is restored.
    func target(_ name: [UInt8]) -> BytePath {
        var n = name[...]
        while n.count > 1, n.last == UInt8(ascii: "/") { n = n.dropLast() }
        if let regexWhere { return BytePath(regexWhere.apply(Array(n))) }
        if whereDirectory.isEmpty { return BytePath(Array(n)) }
        return BytePath(whereDirectory + (n.first == UInt8(ascii: "/") ? Array(n) : [UInt8(ascii: "/")] + n))
    }

    /// Takes one record.
    func consume(fileIndex: Int32, stream: Int32, data: [UInt8]) {
        let type = stream & StreamType.mask
        if type == StreamType.unixAttributes || type == StreamType.unixAttributesEx {
            endFile()
            do {
                let record = try AttributeRecord(decoding: data)
                let skip = try begin(record)
                current = (fileIndex, skip, target(record.name))
            } catch {
                problems.append("FileIndex \(fileIndex): \(error)")
                current = (fileIndex, true, nil)
            }
            return
        }
        guard let c = current, c.fileIndex == fileIndex, !c.skip else { return }
        if type == PosixACL.accessStream || type == PosixACL.defaultStream, let path = c.path {
            var text = data
            while text.last == 0 { text.removeLast() }
            do {
                let acl = try PosixACL(
                    text: String(decoding: text, as: UTF8.self),
                    userID: { name in getpwnam(name).map { $0.pointee.pw_uid } },
                    groupID: { name in getgrnam(name).map { $0.pointee.gr_gid } })
                let name = type == PosixACL.accessStream ? "system.posix_acl_access" : "system.posix_acl_default"
                let value = acl.xattr
                let rc = path.withCString { p in value.withUnsafeBytes { lsetxattr(p, name, $0.baseAddress, $0.count, 0) } }
                if rc != 0 { problems.append("Cannot set the ACL of \(path): ERR=\(errnoText())") }
            } catch {
                problems.append("\(path): \(error)")
            }
            return
        }
        if type == ExtendedAttributes.stream, let path = c.path {
            do {
                for attribute in try ExtendedAttributes.decode(data) {
                    let name = BytePath(attribute.name)
                    let rc = path.withCString { p in name.withCString { n in attribute.value.withUnsafeBytes { lsetxattr(p, n, $0.baseAddress, $0.count, 0) } } }
                    if rc != 0 { problems.append("Cannot set extended attribute \(name) on \(path): ERR=\(errnoText())") }
                }
            } catch {
                problems.append("\(path): \(error)")
            }
            return
        }
        if FileData.isDataStream(type) {
            guard open != nil else { return }
            do {
                try write(try FileData.decode(stream: stream, payload: data))
            } catch {
                fail("\(open.map { "\($0.path)" } ?? "FileIndex \(fileIndex)"): damaged data record (stream \(stream)): \(error)")
            }
        }
    }

    /// Ends the last file and sets the directories' owner, mode and times, deepest first.
    func finish() {
        endFile()
        for d in directories.sorted(by: { $0.path.bytes.count > $1.path.bytes.count }) {
            applyOwnerModeTimes(d.path, fd: nil, stat: d.stat)
        }
        directories.removeAll()
    }

    private func fail(_ text: String) {
        problems.append(text)
        if let o = open {
            close(o.fd)
            open = nil
        }
        if var c = current {
            c.skip = true
            current = c
        }
    }

    /// Starts a file; returns true when its data is to be skipped.
    private func begin(_ record: AttributeRecord) throws -> Bool {
        let path = target(record.name)
        makeParents(of: path)
        let stat = record.stat
        let mode = mode_t(truncatingIfNeeded: stat.mode)
        let existing = lstatPath(path)
        if let existing, record.fileType != .directoryEnd {
            let backupTime = stat.modificationTime
            let diskTime = Int64(existing.st_mtim.tv_sec)
            let keep: Bool =
                switch replace {
                case .always: false
                case .never: true
                case .ifNewer: backupTime <= diskTime
                case .ifOlder: backupTime >= diskTime
                }
            if keep { return true }
        }
        switch record.fileType {
        case .directoryEnd?, .directoryBegin?, .directoryNoChange?, .noFileSystemChange?:
            if existing == nil, path.withCString({ mkdir($0, 0o700) }) != 0 && errno != EEXIST {
                problems.append("Cannot make directory \(path): ERR=\(errnoText())")
                return true
            }
            directories.append((path, stat))
            filesRestored += 1
        case .symbolicLink?:
            removeExisting(path)
            var linkTarget = record.link
            if prefixLinks, linkTarget.first == UInt8(ascii: "/"), !whereDirectory.isEmpty { linkTarget = whereDirectory + linkTarget }
            let rc = path.withCString { name in BytePath(linkTarget).withCString { symlink($0, name) } }
            guard rc == 0 else {
                problems.append("Cannot make symbolic link \(path): ERR=\(errnoText())")
                return true
            }
            _ = path.withCString { lchown($0, uid_t(truncatingIfNeeded: stat.uid), gid_t(truncatingIfNeeded: stat.gid)) }
            setTimes(path, fd: nil, stat: stat, noFollow: true)
            filesRestored += 1
        case .hardLinkSaved?:
            removeExisting(path)
            let original = target(record.link)
            let rc = path.withCString { name in original.withCString { link($0, name) } }
            guard rc == 0 else {
                problems.append("Cannot make hard link \(path) to \(original): ERR=\(errnoText())")
                return true
            }
            filesRestored += 1
            return true
        case .regular?, .emptyRegular?:
            removeExisting(path)
            let fd = path.withCString { Glibc.open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600) }
            guard fd >= 0 else {
                problems.append("Cannot create \(path): ERR=\(errnoText())")
                return true
            }
            open = (fd, path, record, 0)
        case .special?, .fifo?:
            removeExisting(path)
            let rc: Int32 =
                (mode & S_IFMT) == S_IFIFO
                ? path.withCString { mkfifo($0, mode & 0o7777) }
                : path.withCString { mknod($0, mode, dev_t(truncatingIfNeeded: stat.rdev)) }
            guard rc == 0 else {
                problems.append("Cannot make node \(path): ERR=\(errnoText())")
                return true
            }
            applyOwnerModeTimes(path, fd: nil, stat: stat)
            filesRestored += 1
        case .deleted?:
            return true
        default:
            return true
        }
        return false
    }

    private func write(_ chunk: FileDataChunk) throws {
        guard var o = open else { return }
        var at = o.end
        if let offset = chunk.offset {
            guard offset <= UInt64(Int64.max) else { throw VolumeError.malformed(what: "sparse record", field: "offset", offset: 0) }
            at = Int64(offset)
        }
        var done = 0
        let fd = o.fd
        let failure: Int32? = chunk.bytes.withUnsafeBytes { raw -> Int32? in
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(at) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let failure {
            fail("Write error on \(o.path): ERR=\(errnoText(failure))")
            return
        }
        o.end = max(o.end, at + Int64(done))
        bytesRestored += Int64(done)
        open = o
    }

    private func endFile() {
        current = nil
        guard let o = open else { return }
        open = nil
        defer { close(o.fd) }
        let size = o.record.stat.size
        if o.end < size, ftruncate(o.fd, off_t(size)) != 0 {
            problems.append("Cannot set the length of \(o.path): ERR=\(errnoText())")
        }
        applyOwnerModeTimes(o.path, fd: o.fd, stat: o.record.stat)
        filesRestored += 1
    }

    private func removeExisting(_ path: BytePath) {
        if let st = lstatPath(path), (st.st_mode & S_IFMT) != S_IFDIR { _ = path.withCString { unlink($0) } }
    }

    /// Creates missing parent directories (mode 0700 until their own record sets theirs, as bacula-fd does).
    private func makeParents(of path: BytePath) {
        let parts = path.bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        guard parts.count > 1 else { return }
        var current: [UInt8] = path.bytes.first == UInt8(ascii: "/") ? [] : [UInt8(ascii: ".")]
        for part in parts.dropLast() {
            current += [UInt8(ascii: "/")] + part
            let directory = BytePath(current)
            if lstatPath(directory) == nil { _ = directory.withCString { mkdir($0, 0o700) } }
        }
    }

    private func applyOwnerModeTimes(_ path: BytePath, fd: Int32?, stat: EncodedStat) {
        let uid = uid_t(truncatingIfNeeded: stat.uid)
        let gid = gid_t(truncatingIfNeeded: stat.gid)
        let mode = mode_t(truncatingIfNeeded: stat.mode) & 0o7777
        if let fd {
            _ = fchown(fd, uid, gid)
            if fchmod(fd, mode) != 0 { problems.append("Cannot set the mode of \(path): ERR=\(errnoText())") }
        } else {
            _ = path.withCString { lchown($0, uid, gid) }
            if path.withCString({ chmod($0, mode) }) != 0 { problems.append("Cannot set the mode of \(path): ERR=\(errnoText())") }
        }
        setTimes(path, fd: fd, stat: stat, noFollow: false)
    }

    private func setTimes(_ path: BytePath, fd: Int32?, stat: EncodedStat, noFollow: Bool) {
        var times = [timespec(tv_sec: Int(stat.accessTime), tv_nsec: 0), timespec(tv_sec: Int(stat.modificationTime), tv_nsec: 0)]
        let rc: Int32 =
            if let fd { futimens(fd, &times) } else { path.withCString { utimensat(AT_FDCWD, $0, &times, noFollow ? AT_SYMLINK_NOFOLLOW : 0) } }
        if rc != 0 { problems.append("Cannot set the times of \(path): ERR=\(errnoText())") }
    }
}
