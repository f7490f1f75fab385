/// Reads Bacula's serialized fields (spec §1) from a payload, with bounds checks that name the failing field.
struct FieldReader {
    let bytes: [UInt8]
    let what: String
    private(set) var offset = 0

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    var remaining: Int { bytes.count - offset }

    mutating func u32(_ field: String) throws(VolumeError) -> UInt32 {
        guard remaining >= 4 else { throw .malformed(what: what, field: field, offset: offset) }
        let v = bytes.withUnsafeBytes { BigEndian.u32($0, offset) }
        offset += 4
        return v
    }

    mutating func u64(_ field: String) throws(VolumeError) -> UInt64 {
        guard remaining >= 8 else { throw .malformed(what: what, field: field, offset: offset) }
        let v = bytes.withUnsafeBytes { BigEndian.u64($0, offset) }
        offset += 8
        return v
    }

    mutating func i64(_ field: String) throws(VolumeError) -> Int64 { Int64(bitPattern: try u64(field)) }

    mutating func float64(_ field: String) throws(VolumeError) -> Double { Double(bitPattern: try u64(field)) }

    /// A NUL-terminated string.
    mutating func string(_ field: String) throws(VolumeError) -> String {
        guard let end = bytes[offset...].firstIndex(of: 0) else {
            throw .malformed(what: what, field: field, offset: offset)
        }
        let s = String(decoding: bytes[offset..<end], as: UTF8.self)
        offset = end + 1
        return s
    }
}

/// Appends Bacula's serialized fields (spec §1) to a byte array.
struct FieldWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    mutating func float64(_ v: Double) { u64(v.bitPattern) }

    mutating func string(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        bytes.append(0)
    }
}
