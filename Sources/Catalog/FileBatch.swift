#if canImport(Glibc)
import Glibc
#endif

/// A batch of a job's File rows kept as bytes, the way an SD's attribute stream delivers them: one buffer holds
/// every path, name, encoded stat and digest text, and each file is a fixed-size `Item` of offsets into it. No
/// String, array or class is made per file; consecutive files of one directory share their path's bytes (the
/// inserter then looks the path up once). `CatalogDatabase.addFiles(jobID:_:)` inserts a batch in one transaction.
///
/// Contract: items keep their append order; a digest is set on the item whose FileIndex (as sent, also for a
/// deleted file whose catalog FileIndex is 0) matches, or kept as a late digest for a file of an earlier batch,
/// applied after the batch's items; an item without a digest is stored with MD5 `0`, as Bacula does.
public struct FileBatch: Sendable {
    /// Bytes `[start, start + count)` of `bytes`.
    public struct Span: Sendable, Equatable {
        public var start: UInt32
        public var count: UInt32

        static let empty = Span(start: 0, count: 0)
    }

    public struct Item: Sendable {
        /// The FileIndex the SD sent (what a digest names).
        public var fileIndex: Int64
        /// The catalog's FileIndex: 0 for a deleted file (an Accurate job's FT_DELETED), else `fileIndex`.
        public var catalogIndex: Int64
        public var path: Span
        public var name: Span
        public var lstat: Span
        /// Empty: no digest (stored as `0`).
        public var digest: Span
        public var deltaSequence: Int64
    }

    public private(set) var bytes: [UInt8] = []
    public private(set) var items: [Item] = []
    /// Digests for files of earlier batches: (FileIndex as sent, digest text).
    public private(set) var lateDigests: [(fileIndex: Int64, digest: Span)] = []
    /// Whether the items' FileIndexes only grew (then a digest's item is found by binary search).
    private var ascending = true

    public init() {}

    /// A batch of `FileEntry` values (each file's digest as its entry says).
    public init(_ entries: [FileEntry]) {
        for entry in entries {
            var (path, name, lstat, digest) = (entry.path, entry.name, entry.lstat, entry.digest)
            path.withUTF8 { path in
                name.withUTF8 { name in
                    lstat.withUTF8 { lstat in
                        append(
                            fileIndex: entry.fileIndex, deleted: false, path: path, name: name, lstat: lstat,
                            deltaSequence: entry.deltaSequence)
                    }
                }
            }
            if digest != "0" { digest.withUTF8 { _ = setDigest(fileIndex: entry.fileIndex, text: $0) } }
        }
    }

    public var isEmpty: Bool { items.isEmpty && lateDigests.isEmpty }
    /// Files in the batch.
    public var count: Int { items.count }

    /// Appends a file. `path` is the directory part with its trailing `/` (see `FileEntry.split`).
    public mutating func append(
        fileIndex: Int64, deleted: Bool, path: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>,
        lstat: UnsafeBufferPointer<UInt8>, deltaSequence: Int64
    ) {
        let pathSpan: Span
        if let last = items.last, Self.equal(bytes, last.path, path) {
            pathSpan = last.path
        } else {
            pathSpan = store(path)
        }
        if let last = items.last, fileIndex < last.fileIndex { ascending = false }
        items.append(
            Item(
                fileIndex: fileIndex, catalogIndex: deleted ? 0 : fileIndex, path: pathSpan, name: store(name),
                lstat: store(lstat), digest: .empty, deltaSequence: deltaSequence))
    }

    /// Sets the digest text of the batch's file with `fileIndex` (as sent); false when no file of this batch has it.
    public mutating func setDigest(fileIndex: Int64, text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let position = position(of: fileIndex) else { return false }
        items[position].digest = store(text)
        return true
    }

    /// Keeps a digest for a file of an earlier batch (applied by an UPDATE after this batch's files).
    public mutating func addLateDigest(fileIndex: Int64, text: UnsafeBufferPointer<UInt8>) {
        lateDigests.append((fileIndex, store(text)))
    }

    /// Sets the digest of `fileIndex` appending its text with `encode` (which appends to the buffer it is given),
    /// so an encoder writes straight into the batch; false when no file of this batch has that FileIndex.
    public mutating func setDigest(fileIndex: Int64, encode: (inout [UInt8]) -> Void) -> Bool {
        guard let position = position(of: fileIndex) else { return false }
        items[position].digest = store(encode)
        return true
    }

    /// `addLateDigest` with the text appended by `encode`.
    public mutating func addLateDigest(fileIndex: Int64, encode: (inout [UInt8]) -> Void) {
        lateDigests.append((fileIndex, store(encode)))
    }

    /// Empties the batch, keeping its storage for the next files.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        lateDigests.removeAll(keepingCapacity: true)
        ascending = true
    }

    /// The text of a span (tests, logs).
    public func text(_ span: Span) -> String {
        String(decoding: bytes[Int(span.start)..<Int(span.start + span.count)], as: UTF8.self)
    }

    /// The batch's files as entries (digest `0` when none), in order.
    public var entries: [FileEntry] {
        items.map { item in
            FileEntry(
                fileIndex: item.catalogIndex, path: text(item.path), name: text(item.name), lstat: text(item.lstat),
                digest: item.digest.count == 0 ? "0" : text(item.digest), deltaSequence: item.deltaSequence)
        }
    }

    // MARK: Storage

    private mutating func store(_ source: UnsafeBufferPointer<UInt8>) -> Span {
        let start = bytes.count
        bytes.append(contentsOf: source)
        return Span(start: UInt32(start), count: UInt32(bytes.count - start))
    }

    private mutating func store(_ encode: (inout [UInt8]) -> Void) -> Span {
        let start = bytes.count
        encode(&bytes)
        return Span(start: UInt32(start), count: UInt32(bytes.count - start))
    }

    private static func equal(_ bytes: [UInt8], _ span: Span, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(span.count) == other.count else { return false }
        guard let base = other.baseAddress, other.count > 0 else { return true }
        return bytes.withUnsafeBufferPointer { mine in
            guard let start = mine.baseAddress else { return false }
            return memcmp(start + Int(span.start), base, other.count) == 0
        }
    }

    /// The position of the item with `fileIndex`: the last item first (a digest follows its attributes), then a
    /// binary search while FileIndexes only grew, else a scan from the end.
    private func position(of fileIndex: Int64) -> Int? {
        guard let last = items.last else { return nil }
        if last.fileIndex == fileIndex { return items.count - 1 }
        if ascending {
            var low = 0
            var high = items.count - 1
            while low <= high {
                let middle = (low + high) / 2
                let value = items[middle].fileIndex
                if value == fileIndex { return middle }
                if value < fileIndex { low = middle + 1 } else { high = middle - 1 }
            }
            return nil
        }
        return items.lastIndex { $0.fileIndex == fileIndex }
    }
}
