/// The stat values carried in an attribute record, in Bacula's order (spec §7.2).
public struct EncodedStat: Equatable, Sendable {
    public var device: Int64 = 0
    public var inode: Int64 = 0
    public var mode: Int64 = 0
    public var linkCount: Int64 = 0
    public var uid: Int64 = 0
    public var gid: Int64 = 0
    public var rdev: Int64 = 0
    public var size: Int64 = 0
    public var blockSize: Int64 = 0
    public var blocks: Int64 = 0
    public var accessTime: Int64 = 0
    public var modificationTime: Int64 = 0
    public var changeTime: Int64 = 0
    /// For a hard link saved as type 1: the FileIndex holding the data; 0 otherwise.
    public var linkFileIndex: Int64 = 0
    public var flags: Int64 = 0
    /// The stream that carries this file's data (2 plain, 4 gzip, 6/7 sparse, 29 LZO ...).
    public var dataStream: Int64 = 0
    /// A 17th value written by Windows clients.
    public var windowsAttributes: Int64?

    public init() {}

    /// Decodes the space-separated base64 fields; the first 13 are required.
    public init(decoding text: ArraySlice<UInt8>) throws(VolumeError) {
        let fields = text.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard fields.count >= 13 else {
            throw .malformed(what: "encoded stat", field: "field \(fields.count + 1)", offset: text.startIndex)
        }
        let v = fields.map { BaculaBase64.decode($0) }
        device = v[0]
        inode = v[1]
        mode = v[2]
        linkCount = v[3]
        uid = v[4]
        gid = v[5]
        rdev = v[6]
        size = v[7]
        blockSize = v[8]
        blocks = v[9]
        accessTime = v[10]
        modificationTime = v[11]
        changeTime = v[12]
        if v.count > 13 { linkFileIndex = v[13] }
        if v.count > 14 { flags = v[14] }
        if v.count > 15 { dataStream = v[15] }
        if v.count > 16 { windowsAttributes = v[16] }
    }

    /// The 16 (or 17) space-separated values.
    public func encoded() -> String {
        var values = [
            device, inode, mode, linkCount, uid, gid, rdev, size, blockSize, blocks, accessTime, modificationTime,
            changeTime, linkFileIndex, flags, dataStream,
        ]
        if let w = windowsAttributes { values.append(w) }
        return values.map(BaculaBase64.encode).joined(separator: " ")
    }
}

/// An attribute record (stream 1 or 5): `FI Type Name\0Stat\0Link\0AttribsEx\0DeltaSeq\0` (spec §7.1).
public struct FileAttributes: Equatable, Sendable {
    public var fileIndex: Int32
    /// The raw type code (see `FileType`).
    public var type: Int32
    /// Absolute path; directories end in `/`.
    public var name: String
    public var stat: EncodedStat
    /// Symlink target (type 4) or the first-saved path of a hard link (type 1).
    public var link: String
    public var attributesEx: String
    public var deltaSequence: Int

    public init(
        fileIndex: Int32, type: FileType, name: String, stat: EncodedStat, link: String = "",
        attributesEx: String = "", deltaSequence: Int = 0
    ) {
        self.fileIndex = fileIndex
        self.type = type.rawValue
        self.name = name
        self.stat = stat
        self.link = link
        self.attributesEx = attributesEx
        self.deltaSequence = deltaSequence
    }

    /// The file type, nil for codes this library does not know.
    public var fileType: FileType? { FileType(rawValue: type & 0xFFFF) }

    /// Decodes an attribute record payload.
    public init(decoding bytes: [UInt8]) throws(VolumeError) {
        let what = "attributes"
        let space = UInt8(ascii: " ")
        guard let s1 = bytes.firstIndex(of: space),
            let s2 = bytes[(s1 + 1)...].firstIndex(of: space),
            let n1 = bytes[(s2 + 1)...].firstIndex(of: 0)
        else { throw .malformed(what: what, field: "FileIndex/Type/Name", offset: 0) }
        guard let fi = Int32(String(decoding: bytes[..<s1], as: UTF8.self)) else {
            throw .malformed(what: what, field: "FileIndex", offset: 0)
        }
        guard let ty = Int32(String(decoding: bytes[(s1 + 1)..<s2], as: UTF8.self)) else {
            throw .malformed(what: what, field: "Type", offset: s1 + 1)
        }
        fileIndex = fi
        type = ty
        name = String(decoding: bytes[(s2 + 1)..<n1], as: UTF8.self)
        guard let n2 = bytes[(n1 + 1)...].firstIndex(of: 0) else {
            throw .malformed(what: what, field: "stat", offset: n1 + 1)
        }
        stat = try EncodedStat(decoding: bytes[(n1 + 1)..<n2])
        var rest = bytes[(n2 + 1)...]
        func field(_ fieldName: String) throws(VolumeError) -> String {
            guard let end = rest.firstIndex(of: 0) else {
                if rest.isEmpty { return "" }  // older clients stop early
                throw .malformed(what: what, field: fieldName, offset: rest.startIndex)
            }
            let s = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            rest = rest[(end + 1)...]
            return s
        }
        link = try field("Link")
        attributesEx = try field("AttribsEx")
        deltaSequence = Int(try field("DeltaSeq")) ?? 0
    }

    /// The record payload.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(name.utf8.count + link.utf8.count + 128)
        out.append(contentsOf: "\(fileIndex) \(type) \(name)".utf8)
        out.append(0)
        out.append(contentsOf: stat.encoded().utf8)
        out.append(0)
        out.append(contentsOf: link.utf8)
        out.append(0)
        out.append(contentsOf: attributesEx.utf8)
        out.append(0)
        out.append(contentsOf: String(deltaSequence).utf8)
        out.append(0)
        return out
    }
}
