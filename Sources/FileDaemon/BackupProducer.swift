import BaculaVolume
import Dispatch
import BaculaWire
import FileDaemonProtocol
import CCapstanLinux
import Glibc
import StorageProtocol

/// The number of processors that may run threads now.
enum ProcessInfoCount {
    static let activeProcessors = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}

/// What the backup reader hands to the sending side, in order.
enum BackupEvent: Sendable {
    /// Record stream frames for the SD.
    case frames([Frame])
    /// A job message for the Director.
    case message(MessageType, String)
    /// A listing line for an estimate.
    case listing(String)
}

/// Walks a FileSet and reads its files on the calling thread, producing the record stream bacula-fd sends
/// (spec §3.4.3): attributes, data (plain, GZIP, LZO, sparse), digest; directories after their contents, hard links
/// once, deleted files last in accurate mode. Files that vanish or change while read give warnings; unreadable ones
/// count as errors. `emit` returns false when the consumer stopped (then the walk ends).
final class BackupProducer {
    struct DeviceInode: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    let plan: BackupPlan
    let bufferSize: Int
    let counters: JobCounters
    let estimateOnly: Bool
    private let emit: (BackupEvent) -> Bool
    private let isCanceled: () -> Bool
    private var nextFileIndex: Int32
    private var hardLinks: [DeviceInode: (fileIndex: Int32, name: [UInt8], digest: [UInt8]?, digestStream: Int32)] = [:]
    private var accurate: [[UInt8]: AccurateEntry]?
    private var seen = Set<[UInt8]>()
    private var stopped = false
    private let daemonName: String
    /// Bandwidth limit (bytes/s, 0 = none): the reader sleeps so that what it sent never runs ahead of it.
    private var limiter: (start: ContinuousClock.Instant, bytes: Int64)?

    init(
        plan: BackupPlan, bufferSize: Int, counters: JobCounters, daemonName: String, estimateOnly: Bool = false,
        firstFileIndex: Int32 = 1, coalesceBytes: Int = 256 * 1024, isCanceled: @escaping () -> Bool,
        emit: @escaping (BackupEvent) -> Bool
    ) {
        self.coalesceBytes = coalesceBytes
        self.plan = plan
        self.bufferSize = max(1024, bufferSize)
        self.counters = counters
        self.daemonName = daemonName
        self.estimateOnly = estimateOnly
        self.nextFileIndex = max(1, firstFileIndex)
        self.isCanceled = isCanceled
        self.emit = emit
        if let list = plan.accurateFiles {
            accurate = Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// Walks every Include, then reports deleted files (accurate mode).
    func run() {
        walkAll()
        flushPending()
    }

    private func walkAll() {
        let fileSet: FileSetDescription
        do {
            fileSet = try FileListExpander.expand(plan.fileSet, job: plan.job, clientName: daemonName)
        } catch {
            message(.fatal, error.description)
            counters.update {
                $0.errors += 1
                $0.fatal = true
            }
            return
        }
        // A pattern that cannot be used (it does not compile, or regcomp would blow up on it) fails the job before
        // any file is sent, as bacula-fd fails it: backing up without it would save what the FileSet leaves out.
        let selections = fileSet.includes.map { FileSelection(include: $0, excludes: fileSet.excludes) }
        let problems = selections.flatMap(\.problems)
        guard problems.isEmpty else {
            for problem in problems { message(.fatal, problem) }
            counters.update {
                $0.errors += Int64(problems.count)
                $0.fatal = true
            }
            return
        }
        for (include, selection) in zip(fileSet.includes, selections) {
            for top in include.files {
                guard !stop else { return }
                var path = top
                while path.count > 1, path.last == UInt8(ascii: "/") { path.removeLast() }
                let topPath = BytePath(path)
                guard let st = lstatPath(topPath) else {
                    let code = errno
                    message(.error, "     Could not stat \"\(topPath)\": ERR=\(errnoText(code))")
                    counters.update { $0.errors += 1 }
                    continue
                }
                currentTop = topPath
                walk(topPath, st, topDevice: UInt64(st.st_dev), parentDevice: UInt64(st.st_dev), selection: selection, isTop: true)
            }
        }
        guard !stop, let accurate, !estimateOnly else { return }
        for (name, entry) in accurate.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where !seen.contains(name) {
            guard !stop else { return }
            sendDeleted(name: name, entry: entry)
        }
    }

    private var stop: Bool {
        if !stopped && isCanceled() { stopped = true }
        return stopped
    }

    /// Frames wait here until about `coalesceBytes` are pending (or a message must go out, or the walk ends), so
    /// the sending side handles a few large batches instead of many small ones.
    private var pending: [Frame] = []
    private var pendingBytes = 0
    private let coalesceBytes: Int

    private func send(_ event: BackupEvent) {
        guard !stopped else { return }
        if case .frames(let frames) = event {
            pending += frames
            for frame in frames { pendingBytes += (frame.payload?.count ?? 0) + 4 }
            if pendingBytes >= coalesceBytes { flushPending() }
            return
        }
        flushPending()
        if !stopped, !emit(event) { stopped = true }
    }

    private func flushPending() {
        guard !pending.isEmpty, !stopped else { return }
        let frames = pending
        pending = []
        pendingBytes = 0
        if !emit(.frames(frames)) { stopped = true }
    }

    private func message(_ type: MessageType, _ text: String) { send(.message(type, text)) }

    // MARK: walking

    /// The top item being walked (for messages).
    private var currentTop = BytePath([])

    private func walk(
        _ path: BytePath, _ st: stat, topDevice: UInt64, parentDevice: UInt64, selection: FileSelection, isTop: Bool
    ) {
        guard !stop else { return }
        // As bacula-fd: the file system and drive type restrictions are checked on the top items (and where a
        // walk with onefs = no enters another file system, below).
        if isTop && !selection.fileSystemTypes.isEmpty {
            let type = FileSystemType.name(of: path)
            guard let type, selection.fileSystemTypes.contains(type) else {
                message(.info, "Top level directory \"\(path)\" has unlisted fstype \"\(type ?? "unknown")\"")
                return
            }
        }
        if isTop && !selection.driveTypes.isEmpty {
            // bacula-fd knows drive types on Windows only: on Linux every top item is refused.
            message(.info, "Top level directory \"\(path)\" has an unlisted drive type \"unknown\"")
            return
        }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        guard let options = selection.options(for: path, isDirectory: isDirectory) else { return }
        if options.honorNoDump && Self.hasNoDumpFlag(path, isDirectory: isDirectory) { return }
        guard isDirectory else {
            save(path, st, options: options)
            return
        }
        for marker in selection.excludeDirContaining where lstatPath(path.appending(Array(marker.utf8))) != nil {
            return
        }
        var descend = isTop || options.recurse
        if !isTop && options.oneFileSystem && UInt64(st.st_dev) != topDevice {
            message(.info, "     \(path) is a different filesystem. Will not descend into it.")
            descend = false
        } else if !isTop && descend && UInt64(st.st_dev) != parentDevice && !selection.fileSystemTypes.isEmpty
            && !(FileSystemType.name(of: path).map(selection.fileSystemTypes.contains) ?? false)
        {
            message(.info, "     Disallowed filesystem. Will not descend from \(currentTop) into \(path)")
            descend = false
        }
        if descend {
            guard let names = readDirectory(path) else {
                let code = errno
                if code == ENOENT {
                    message(.warning, "     Directory \"\(path)\" vanished during the backup.")
                    counters.update { $0.warnings += 1 }
                } else {
                    message(.error, "     Could not open directory \"\(path)\": ERR=\(errnoText(code))")
                    counters.update { $0.errors += 1 }
                }
                return
            }
            for name in names {
                guard !stop else { return }
                let child = path.appending(name)
                guard let childStat = lstatPath(child) else {
                    let code = errno
                    if code == ENOENT {
                        message(.warning, "     \"\(child)\" vanished during the backup.")
                        counters.update { $0.warnings += 1 }
                    } else {
                        message(.error, "     Could not stat \"\(child)\": ERR=\(errnoText(code))")
                        counters.update { $0.errors += 1 }
                    }
                    continue
                }
                walk(
                    child, childStat, topDevice: topDevice, parentDevice: UInt64(st.st_dev), selection: selection,
                    isTop: false)
            }
        }
        var name = path.bytes
        if name.last != UInt8(ascii: "/") { name.append(UInt8(ascii: "/")) }
        save(BytePath(name), st, options: options, directory: true)
    }

    /// The entry names of a directory (without `.` and `..`), nil with errno when it cannot be opened.
    private func readDirectory(_ path: BytePath) -> [[UInt8]]? {
        guard let directory = path.withCString({ opendir($0) }) else { return nil }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        return names
    }

    // MARK: saving

    private func isChanged(_ name: [UInt8], _ st: stat, options: FileSetOptions) -> Bool {
        if let accurate {
            seen.insert(name)
            guard let entry = accurate[name] else { return true }
            let old = entry.stat
            return old.modificationTime != Int64(st.st_mtim.tv_sec) || old.size != Int64(st.st_size)
                || (!plan.mtimeOnly && !options.mtimeOnly && old.changeTime != Int64(st.st_ctim.tv_sec))
                || old.mode != Int64(st.st_mode) || old.inode != Int64(bitPattern: UInt64(st.st_ino))
        }
        if let since = plan.since {
            if Int64(st.st_mtim.tv_sec) >= since { return true }
            return !(plan.mtimeOnly || options.mtimeOnly) && Int64(st.st_ctim.tv_sec) >= since
        }
        return true
    }

    private func dataStream(_ options: FileSetOptions) -> Int32 {
        switch (options.compression, options.sparse) {
        case (nil, false): return StreamType.fileData
        case (nil, true): return StreamType.sparseData
        case (.gzip?, false): return StreamType.gzipData
        case (.gzip?, true): return StreamType.sparseGzipData
        case (.lzo?, false): return StreamType.compressedData
        case (.lzo?, true): return StreamType.sparseCompressedData
        }
    }

    private func encodedStat(_ st: stat, stream: Int32, linkFileIndex: Int32 = 0) -> EncodedStat {
        var e = EncodedStat()
        e.device = Int64(bitPattern: UInt64(st.st_dev))
        e.inode = Int64(bitPattern: UInt64(st.st_ino))
        e.mode = Int64(st.st_mode)
        e.linkCount = Int64(st.st_nlink)
        e.uid = Int64(st.st_uid)
        e.gid = Int64(st.st_gid)
        e.rdev = Int64(bitPattern: UInt64(st.st_rdev))
        e.size = Int64(st.st_size)
        e.blockSize = Int64(st.st_blksize)
        e.blocks = Int64(st.st_blocks)
        e.accessTime = Int64(st.st_atim.tv_sec)
        e.modificationTime = Int64(st.st_mtim.tv_sec)
        e.changeTime = Int64(st.st_ctim.tv_sec)
        e.linkFileIndex = Int64(linkFileIndex)
        e.dataStream = Int64(stream)
        return e
    }

    private func save(_ path: BytePath, _ st: stat, options: FileSetOptions, directory: Bool = false) {
        guard isChanged(path.bytes, st, options: options) else { return }
        let format = st.st_mode & S_IFMT
        let stream = dataStream(options)
        if estimateOnly {
            counters.update {
                $0.files += 1
                if format == S_IFREG { $0.readBytes += Int64(st.st_size) }
            }
            send(.listing(Self.listingLine(path, st)))
            return
        }
        var type: FileType
        var link: [UInt8] = []
        switch format {
        case S_IFDIR: type = .directoryEnd
        case S_IFREG: type = st.st_size == 0 ? .emptyRegular : .regular
        case S_IFLNK:
            type = .symbolicLink
            guard let target = readLink(path) else {
                let code = errno
                message(.error, "     Could not read link \"\(path)\": ERR=\(errnoText(code))")
                counters.update { $0.errors += 1 }
                return
            }
            link = target
        case S_IFSOCK:
            message(.skipped, "     Socket file skipped: \(path)")
            return
        default: type = .special
        }
        let key = DeviceInode(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        if format != S_IFDIR && st.st_nlink > 1 && options.hardLinks, let first = hardLinks[key] {
            let fileIndex = nextFileIndex
            nextFileIndex += 1
            let record = AttributeRecord(
                fileIndex: fileIndex, type: .hardLinkSaved, name: path.bytes,
                stat: encodedStat(st, stream: stream, linkFileIndex: first.fileIndex), link: first.name)
            var frames = BackupRecordFrames.stream(
                fileIndex: fileIndex, stream: StreamType.unixAttributes, expectedLength: 0, packets: [record.bytes])
            if let digest = first.digest {
                frames += BackupRecordFrames.stream(fileIndex: fileIndex, stream: first.digestStream, expectedLength: 0, packets: [digest])
            }
            counters.update { $0.files += 1 }
            send(.frames(frames))
            return
        }
        var descriptor: Int32 = -1
        if type == .regular {
            descriptor = openForReading(path, noAccessTime: options.noAccessTime)
            guard descriptor >= 0 else {
                let code = errno
                if code == ENOENT {
                    message(.warning, "     \"\(path)\" vanished during the backup.")
                    counters.update { $0.warnings += 1 }
                } else {
                    message(.error, "     Cannot open \"\(path)\": ERR=\(errnoText(code)).")
                    counters.update { $0.errors += 1 }
                }
                return
            }
        }
        defer {
            if descriptor >= 0 {
                // As bacula-fd: what a backup read does not stay in the page cache, crowding out the client's own data.
                _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED))
                close(descriptor)
            }
        }
        let fileIndex = nextFileIndex
        nextFileIndex += 1
        let record = AttributeRecord(fileIndex: fileIndex, type: type, name: path.bytes, stat: encodedStat(st, stream: stream), link: link)
        send(.frames(BackupRecordFrames.stream(fileIndex: fileIndex, stream: StreamType.unixAttributes, expectedLength: 0, packets: [record.bytes])))
        counters.update {
            $0.files += 1
            $0.lastFile = path.description
        }
        let digest = options.signature.flatMap { Digest($0) }
        if type == .regular {
            readData(descriptor, path: path, st: st, fileIndex: fileIndex, stream: stream, options: options, digest: digest)
        }
        if options.acls && format != S_IFLNK {
            for (name, stream) in [("system.posix_acl_access", PosixACL.accessStream), ("system.posix_acl_default", PosixACL.defaultStream)]
            where stream == PosixACL.accessStream || format == S_IFDIR {
                guard let value = readAttribute(path, name), let acl = PosixACL(xattr: value), !acl.entries.isEmpty,
                    stream == PosixACL.defaultStream || !acl.isTrivial
                else { continue }
                send(.frames(BackupRecordFrames.stream(
                    fileIndex: fileIndex, stream: stream, expectedLength: 0, packets: [Array(acl.text().utf8) + [0]])))
            }
        }
        if options.xattrs, let attributes = readExtendedAttributes(path), !attributes.isEmpty {
            send(.frames(BackupRecordFrames.stream(
                fileIndex: fileIndex, stream: ExtendedAttributes.stream, expectedLength: 0,
                packets: [ExtendedAttributes.encode(attributes)])))
        }
        var digestBytes: [UInt8]?
        if let digest, type == .regular || type == .emptyRegular {
            let bytes = digestLane.finish(digest)
            digestBytes = bytes
            send(.frames(BackupRecordFrames.stream(fileIndex: fileIndex, stream: digest.kind.stream, expectedLength: 0, packets: [bytes])))
        }
        if format != S_IFDIR && st.st_nlink > 1 && options.hardLinks {
            hardLinks[key] = (fileIndex, path.bytes, digestBytes, digest?.kind.stream ?? 0)
        }
        if options.keepAccessTime && format == S_IFREG {
            var times = [st.st_atim, timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)  /* UTIME_OMIT */]
            _ = path.withCString { utimensat(AT_FDCWD, $0, &times, AT_SYMLINK_NOFOLLOW) }
        }
    }

    /// True when the file carries the `nodump` attribute (chattr +d); false when it cannot be asked.
    static func hasNoDumpFlag(_ path: BytePath, isDirectory: Bool) -> Bool {
        guard isDirectory || lstatPath(path).map({ ($0.st_mode & S_IFMT) == S_IFREG }) == true else { return false }
        let fd = path.withCString { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | (isDirectory ? O_DIRECTORY : 0)) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var flags: Int32 = 0
        // FS_IOC_GETFLAGS = _IOR('f', 1, long); FS_NODUMP_FL = 0x40 (linux/fs.h, the same on x86_64 and arm64).
        guard capstan_ioctl_ptr(fd, 0x8008_6601, &flags) == 0 else { return false }
        return flags & 0x40 != 0
    }

    /// One extended attribute's value (not following symlinks), nil when absent.
    private func readAttribute(_ path: BytePath, _ name: String) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: 65536)
        let count = path.withCString { p in value.withUnsafeMutableBytes { lgetxattr(p, name, $0.baseAddress, $0.count) } }
        return count >= 0 ? Array(value.prefix(count)) : nil
    }

    /// The file's extended attributes (not following symlinks), without the ACL ones; nil when none can be read.
    private func readExtendedAttributes(_ path: BytePath) -> [(name: [UInt8], value: [UInt8])]? {
        let size = path.withCString { llistxattr($0, nil, 0) }
        guard size > 0 else { return nil }
        var list = [CChar](repeating: 0, count: size)
        let listed = path.withCString { llistxattr($0, &list, size) }
        guard listed > 0 else { return nil }
        let names = list.prefix(listed).split(separator: 0).map { $0.map { UInt8(bitPattern: $0) } }
        var out: [(name: [UInt8], value: [UInt8])] = []
        for name in names where !ExtendedAttributes.skipped.contains(name) {
            let nameText = BytePath(name)
            let length = path.withCString { p in nameText.withCString { lgetxattr(p, $0, nil, 0) } }
            guard length >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: length)
            let read = path.withCString { p in nameText.withCString { n in value.withUnsafeMutableBytes { lgetxattr(p, n, $0.baseAddress, length) } } }
            guard read >= 0 else { continue }
            out.append((name, Array(value.prefix(read))))
        }
        return out
    }

    private func openForReading(_ path: BytePath, noAccessTime: Bool) -> Int32 {
        let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        if noAccessTime {
            let fd = path.withCString { open($0, flags | 0o1000000 /* O_NOATIME */) }
            if fd >= 0 || errno != EPERM { return fd }
        }
        return path.withCString { open($0, flags) }
    }

    private func readLink(_ path: BytePath) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = path.withCString { name in
            buffer.withUnsafeMutableBufferPointer { readlink(name, UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count) }
        }
        guard count >= 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    /// Reads the file in chunks of the buffer size (buffer − 8 with sparse) and sends one data packet per chunk.
    /// Uncompressed chunks are read straight into their packet (with sparse, behind its 8-byte offset): no copy.
    /// The digest of a large file runs on the digest lane, compression on the compression lane's workers; both
    /// overlap the next reads.
    private func readData(
        _ descriptor: Int32, path: BytePath, st: stat, fileIndex: Int32, stream: Int32, options: FileSetOptions, digest: Digest?
    ) {
        let chunkSize = options.sparse ? bufferSize - 8 : bufferSize
        let headroom = options.sparse && options.compression == nil ? 8 : 0
        send(.frames([BackupRecordFrames.header(fileIndex: fileIndex, stream: stream, expectedLength: Int64(st.st_size))]))
        if Int64(st.st_size) > Int64(bufferSize) { _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_SEQUENTIAL)) }
        let useLane = digest != nil && Int64(st.st_size) >= Self.digestLaneMinimum
        let compression = options.compression == nil ? nil : CompressionLane(options: options, times: counters.times)
        var offset: Int64 = 0
        var failed = false
        func emit(_ packets: [CompressionLane.Packet]) {
            for packet in packets where !failed {
                guard let bytes = packet.bytes else {
                    message(.error, "     Compression error on \(path).")
                    counters.update { $0.errors += 1 }
                    failed = true
                    return
                }
                counters.update {
                    $0.readBytes += Int64(packet.readCount)
                    $0.jobBytes += Int64(bytes.count)
                }
                send(.frames([.payload(bytes)]))
                throttle(Int64(bytes.count))
            }
        }
        while !stop && !failed {
            var readError: Int32 = 0
            let chunkOffset = offset
            let readStart = JobTimes.now()
            let chunk = [UInt8](unsafeUninitializedCapacity: headroom + chunkSize) { buffer, count in
                let base = UnsafeMutableRawPointer(buffer.baseAddress!)
                if headroom > 0 { base.storeBytes(of: UInt64(chunkOffset).bigEndian, as: UInt64.self) }
                var filled = 0
                while filled < chunkSize {
                    let n = read(descriptor, base + headroom + filled, chunkSize - filled)
                    if n < 0 {
                        if errno == EINTR { continue }
                        readError = errno
                        break
                    }
                    if n == 0 { break }
                    filled += n
                }
                count = headroom + filled
            }
            counters.times.add(.reading, nanoseconds: JobTimes.now() - readStart)
            let length = chunk.count - headroom
            if readError != 0 {
                if let compression { emit(compression.drain()) }
                message(.error, "     Read error on file \(path). ERR=\(errnoText(readError))")
                counters.update { $0.errors += 1 }
                failed = true
                break
            }
            if length == 0 { break }
            offset += Int64(length)
            if options.sparse && length == chunkSize && offset < Int64(st.st_size)
                && chunk.withUnsafeBytes({ Self.isZero(UnsafeRawBufferPointer(rebasing: $0[headroom...])) })
            {
                counters.update { $0.readBytes += Int64(length) }
                continue
            }
            if let digest {
                if useLane {
                    digestLane.update(digest, chunk, headroom..<chunk.count)
                } else {
                    counters.times.measure(.digest) {
                        chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[headroom...])) }
                    }
                }
            }
            if let compression {
                emit(compression.submit(chunk, offset: chunkOffset))
            } else {
                emit([CompressionLane.Packet(bytes: chunk, readCount: length)])
            }
            if length < chunkSize { break }
        }
        if let compression { emit(compression.drain()) }
        send(.frames([BackupRecordFrames.endOfStream]))
        // `checkfilechanges = yes` only (off by default, as in bacula-fd): compare the file with its stat from before.
        guard !failed, !stopped, options.checkFileChanges else { return }
        var after = stat()
        if fstat(descriptor, &after) == 0,
            after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec || after.st_size != st.st_size
                || offset != Int64(st.st_size)
        {
            message(.warning, "     \(path): file changed while it was read (size \(st.st_size) -> \(after.st_size), read \(offset)).")
            counters.update { $0.warnings += 1 }
        }
    }

    /// Files at least this large have their digest computed on the digest lane; smaller ones inline (the hand-over
    /// would cost more than it overlaps).
    static let digestLaneMinimum: Int64 = 1 << 20

    /// The digests of large files, on a thread of their own.
    private lazy var digestLane = DigestLane(times: counters.times)

    /// One data packet: the chunk compressed as the options say, behind its offset with sparse.
    static func encode(_ chunk: [UInt8], offset: Int64, options: FileSetOptions) -> [UInt8]? {
        do {
            var body: [UInt8]
            switch options.compression {
            case nil: body = chunk
            case .gzip(let level)?: body = try chunk.withUnsafeBytes { try Zlib.compress($0, level: level) }
            case .lzo?: body = try FileData.lzoPayload(chunk)
            }
            return options.sparse ? FileData.sparsePayload(offset: UInt64(offset), body: body) : body
        } catch {
            return nil
        }
    }

    /// Holds the reader back to `plan.bandwidth` bytes per second (setbandwidth / Maximum Bandwidth Per Job).
    private func throttle(_ bytes: Int64) {
        guard plan.bandwidth > 0 else { return }
        let clock = ContinuousClock()
        var state = limiter ?? (clock.now, 0)
        state.bytes += bytes
        limiter = state
        let due = Duration.seconds(Double(state.bytes) / Double(plan.bandwidth))
        let elapsed = clock.now - state.start
        if due > elapsed {
            let wait = due - elapsed
            let (seconds, attoseconds) = wait.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        }
    }

    static func isZero(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { isZero($0) }
    }

    static func isZero(_ raw: UnsafeRawBufferPointer) -> Bool {
        let words = raw.count / 8
        for index in 0..<words where raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) != 0 { return false }
        for index in (words * 8)..<raw.count where raw[index] != 0 { return false }
        return true
    }

    private func sendDeleted(name: [UInt8], entry: AccurateEntry) {
        let fileIndex = nextFileIndex
        nextFileIndex += 1
        // As bacula-fd: only the times survive in a deleted entry's stat; the data stream says plain data.
        var stat = EncodedStat()
        stat.modificationTime = entry.stat.modificationTime
        stat.changeTime = entry.stat.changeTime
        stat.dataStream = Int64(StreamType.fileData)
        let record = AttributeRecord(fileIndex: fileIndex, type: .deleted, name: name, stat: stat)
        send(.frames(BackupRecordFrames.stream(fileIndex: fileIndex, stream: StreamType.unixAttributes, expectedLength: 0, packets: [record.bytes])))
    }

    /// An `ls -l`-like line for estimate listings.
    static func listingLine(_ path: BytePath, _ st: stat) -> String {
        let types: [mode_t: Character] = [S_IFDIR: "d", S_IFLNK: "l", S_IFIFO: "p", S_IFCHR: "c", S_IFBLK: "b", S_IFSOCK: "s"]
        var mode = String(types[st.st_mode & S_IFMT] ?? "-")
        let letters = Array("rwxrwxrwx")
        for bit in 0..<9 { mode.append(st.st_mode & (1 << (8 - bit)) != 0 ? letters[bit] : "-") }
        return "\(mode) \(st.st_nlink) \(st.st_uid) \(st.st_gid) \(st.st_size) \(st.st_mtim.tv_sec) \(path)\n"
    }
}
