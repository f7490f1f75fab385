/// The Linux extended-attribute stream (1998, spec §3.4.4) as bacula-fd writes it: per attribute a big-endian
/// magic 0x5C5884, the name length, the name (no terminator), the value length, the value.
public enum ExtendedAttributes {
    public static let stream: Int32 = 1998
    static let magic: UInt32 = 0x5C_5884
    /// Names left to the ACL streams, as bacula-fd leaves them.
    public static let skipped: Set<[UInt8]> = [Array("system.posix_acl_access".utf8), Array("system.posix_acl_default".utf8)]

    /// The stream payload for `attributes` (name, value), in order.
    public static func encode(_ attributes: [(name: [UInt8], value: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ value: UInt32) { out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
        for attribute in attributes {
            u32(magic)
            u32(UInt32(attribute.name.count))
            out += attribute.name
            u32(UInt32(attribute.value.count))
            out += attribute.value
        }
        return out
    }

    /// The attributes of a payload; throws at the first entry that is cut short or lacks the magic.
    public static func decode(_ bytes: [UInt8]) throws(ExtendedAttributesError) -> [(name: [UInt8], value: [UInt8])] {
        var out: [(name: [UInt8], value: [UInt8])] = []
        var index = 0
        func u32() throws(ExtendedAttributesError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw ExtendedAttributesError(offset: index, reason: "cut short") }
            defer { index += 4 }
            return UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
        }
        func take(_ count: UInt32) throws(ExtendedAttributesError) -> [UInt8] {
            guard count <= bytes.count - index else { throw ExtendedAttributesError(offset: index, reason: "cut short") }
            defer { index += Int(count) }
            return Array(bytes[index..<(index + Int(count))])
        }
        while index < bytes.count {
            let start = index
            guard try u32() == magic else { throw ExtendedAttributesError(offset: start, reason: "no magic") }
            var name = try take(try u32())
            if name.last == 0 { name.removeLast() }
            let value = try take(try u32())
            out.append((name, value))
        }
        return out
    }
}

/// A damaged extended-attribute stream.
public struct ExtendedAttributesError: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "extended attribute stream: \(reason) at byte \(offset)" }
}
