/// A reply the decoders could not make sense of: which page, at which byte offset of the reply, and why.
public struct SCSIDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The reply ended at `available` bytes; the field needed `needed`.
        case truncated(needed: Int, available: Int)
        /// A field holds a value the decoder cannot accept.
        case invalidField(name: String, value: Int)
        /// The reply is some other page than the one asked for.
        case unexpectedPage(expected: UInt8, found: UInt8)
    }

    /// The page or reply ("READ ELEMENT STATUS", "sense data", "mode page 1Dh").
    public var page: String
    /// Byte offset in the reply where the problem is.
    public var offset: Int
    public var reason: Reason

    public init(page: String, offset: Int, reason: Reason) {
        self.page = page
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .truncated(let needed, let available):
            "\(page): reply ends at byte \(available), a field at offset \(offset) needs \(needed) bytes"
        case .invalidField(let name, let value):
            "\(page): invalid \(name) \(value) at offset \(offset)"
        case .unexpectedPage(let expected, let found):
            "\(page): expected page \(hex(expected)), found \(hex(found)) at offset \(offset)"
        }
    }
}

func hex(_ v: UInt8) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return (s.count < 2 ? "0" + s : s) + "h"
}

/// Bounds-checked big-endian reads over a reply; every failure is a `SCSIDecodeError` naming the page.
struct ReplyReader {
    let bytes: [UInt8]
    let page: String

    init(_ bytes: [UInt8], page: String) {
        self.bytes = bytes
        self.page = page
    }

    var count: Int { bytes.count }

    func need(_ offset: Int, _ length: Int) throws(SCSIDecodeError) {
        guard offset >= 0, length >= 0, offset <= bytes.count - length else {
            throw SCSIDecodeError(page: page, offset: offset, reason: .truncated(needed: length, available: bytes.count))
        }
    }

    func u8(_ offset: Int) throws(SCSIDecodeError) -> UInt8 {
        try need(offset, 1)
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(SCSIDecodeError) -> UInt16 {
        try need(offset, 2)
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    func unsigned(_ offset: Int, _ length: Int) throws(SCSIDecodeError) -> UInt64 {
        try need(offset, length)
        var v: UInt64 = 0
        for i in 0..<length { v = v << 8 | UInt64(bytes[offset + i]) }
        return v
    }

    func slice(_ offset: Int, _ length: Int) throws(SCSIDecodeError) -> ArraySlice<UInt8> {
        try need(offset, length)
        return bytes[offset..<offset + length]
    }

    /// Bytes from `offset`, at most `length`, fewer when the reply is shorter (never throws).
    func available(_ offset: Int, upTo length: Int) -> ArraySlice<UInt8> {
        guard offset < bytes.count, length > 0 else { return [] }
        return bytes[offset..<min(bytes.count, offset + length)]
    }

    func fail(_ offset: Int, _ reason: SCSIDecodeError.Reason) -> SCSIDecodeError {
        SCSIDecodeError(page: page, offset: offset, reason: reason)
    }
}

/// ASCII text of a fixed-width field: NULs end it, trailing blanks are dropped, non-printable bytes become "?".
func asciiField<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var scalars = String.UnicodeScalarView()
    for b in bytes {
        if b == 0 { break }
        scalars.append(Unicode.Scalar((0x20...0x7E).contains(b) ? b : 0x3F))
    }
    var s = String(scalars)
    while s.last == " " { s.removeLast() }
    while s.first == " " { s.removeFirst() }
    return s
}
