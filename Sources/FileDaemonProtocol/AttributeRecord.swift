import BaculaVolume

/// An attribute record (stream 1, spec §3.4.5) with its names as bytes, so names that are not UTF-8 or hold a
/// newline travel byte for byte: `FI Type Name\0EncodedStat\0Link\0AttribsEx\0DeltaSeq\0`.
public struct AttributeRecord: Equatable, Sendable {
    public var fileIndex: Int32
    public var type: Int32
    public var name: [UInt8]
    public var stat: EncodedStat
    public var link: [UInt8]
    public var deltaSequence: Int

    public init(fileIndex: Int32, type: FileType, name: [UInt8], stat: EncodedStat, link: [UInt8] = [], deltaSequence: Int = 0) {
        self.fileIndex = fileIndex
        self.type = type.rawValue
        self.name = name
        self.stat = stat
        self.link = link
        self.deltaSequence = deltaSequence
    }

    public var fileType: FileType? { FileType(rawValue: type & 0xFFFF) }

    /// The record payload.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(name.count + link.count + 128)
        out += "\(fileIndex) \(type) ".utf8
        out += name
        out.append(0)
        out += stat.encoded().utf8
        out.append(0)
        out += link
        out.append(0)
        out.append(0)
        out += String(deltaSequence).utf8
        out.append(0)
        return out
    }

    /// Decodes a payload; a name may hold any byte but NUL.
    public init(decoding bytes: [UInt8]) throws(VolumeError) {
        let what = "attributes"
        let space = UInt8(ascii: " ")
        guard let s1 = bytes.firstIndex(of: space), let s2 = bytes[(s1 + 1)...].firstIndex(of: space),
            let n1 = bytes[(s2 + 1)...].firstIndex(of: 0), let n2 = bytes[(n1 + 1)...].firstIndex(of: 0)
        else { throw .malformed(what: what, field: "FileIndex/Type/Name/stat", offset: 0) }
        guard let fi = Int32(String(decoding: bytes[..<s1], as: UTF8.self)) else {
            throw .malformed(what: what, field: "FileIndex", offset: 0)
        }
        guard let ty = Int32(String(decoding: bytes[(s1 + 1)..<s2], as: UTF8.self)) else {
            throw .malformed(what: what, field: "Type", offset: s1 + 1)
        }
        fileIndex = fi
        type = ty
        name = Array(bytes[(s2 + 1)..<n1])
        stat = try EncodedStat(decoding: bytes[(n1 + 1)..<n2])
        let rest = bytes[(n2 + 1)...]
        let linkEnd = rest.firstIndex(of: 0) ?? rest.endIndex
        link = Array(rest[rest.startIndex..<linkEnd])
        var tail = rest[linkEnd...].dropFirst()
        if let exEnd = tail.firstIndex(of: 0) { tail = tail[(exEnd + 1)...] } else { tail = [] }
        let seqEnd = tail.firstIndex(of: 0) ?? tail.endIndex
        deltaSequence = Int(String(decoding: tail[tail.startIndex..<seqEnd], as: UTF8.self)) ?? 0
    }
}
