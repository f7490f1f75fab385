/// The untyped shape of a configuration file: resources holding statements, some of them nested blocks.
/// Produced by `Parser`, given meaning by `ConfigChecker` against a daemon's schema.
public struct ResourceNode: Equatable, Sendable {
    /// The resource type as written (`Device`, `File Daemon`).
    public var typeName: String
    public var location: SourceLocation
    public var statements: [Statement]
}

/// `Name = value ...` or `Name { ... }` (or `Name = { ... }`).
public struct Statement: Equatable, Sendable {
    /// The directive as written, internal spaces kept (`Maximum Block Size`).
    public var name: String
    public var location: SourceLocation
    public var content: Content

    public enum Content: Equatable, Sendable {
        /// The tokens after `=` up to the end of the line or `;`.
        case value([ValueToken])
        /// A nested block and where its `{` is.
        case block([Statement], SourceLocation)
    }
}

/// One piece of a directive's value.
public struct ValueToken: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case word(String)
        case quoted(String)
        case equals
        case comma
    }

    public var kind: Kind
    public var location: SourceLocation

    /// The text of a word or quoted string; nil for `=` and `,`.
    public var text: String? {
        switch kind {
        case .word(let text), .quoted(let text): return text
        case .equals, .comma: return nil
        }
    }
}

/// Bacula matches resource and directive names case-insensitively with spaces ignored:
/// `Media Type`, `MediaType` and `mediatype` are one name.
/// An ASCII name (every name of a schema, and most written ones) is normalized byte by byte: there each character is
/// one byte (a `"\r\n"` pair, one character, is neither a space nor a tab and lower-cases to itself), so the result is
/// the same as the general path's, built without a lower-cased copy or a walk over characters.
public func normalizedConfigName(_ name: String) -> String {
    if let ascii = asciiNormalizedConfigName(name) { return ascii }
    return String(name.lowercased().filter { $0 != " " && $0 != "\t" })
}

/// `normalizedConfigName(name)` for an ASCII name; nil when the name has a non-ASCII byte.
private func asciiNormalizedConfigName(_ name: String) -> String? {
    var copy = name
    var alreadyNormal = false
    let normalized = copy.withUTF8 { bytes -> String? in
        var dropped = 0
        var upper = 0
        for byte in bytes {
            if byte >= 0x80 { return nil }
            if byte == 0x20 || byte == 0x09 { dropped += 1 } else if byte >= 0x41 && byte <= 0x5A { upper += 1 }
        }
        if dropped == 0 && upper == 0 {
            alreadyNormal = true
            return nil
        }
        return String(unsafeUninitializedCapacity: bytes.count - dropped) { out in
            var count = 0
            for byte in bytes where byte != 0x20 && byte != 0x09 {
                out[count] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                count += 1
            }
            return count
        }
    }
    return alreadyNormal ? name : normalized
}

/// Whether `a` and `b` are one name: `normalizedConfigName(a) == normalizedConfigName(b)`, compared byte by byte
/// without building either normalized string (names are looked up for every directive of every resource, so this
/// is the checker's inner loop). The bytes are compared as they come, so two different names usually part at their
/// first byte: a difference between two ASCII bytes decides (no later character can make the normalized names equal
/// again, as an ASCII character neither changes under lower-casing nor composes with what precedes it), and the
/// first non-ASCII byte of either name hands the comparison over to the normalized strings.
public func configNamesMatch(_ a: String, _ b: String) -> Bool {
    var left = a.utf8.makeIterator()
    var right = b.utf8.makeIterator()
    while true {
        let x = significantNameByte(&left)
        let y = significantNameByte(&right)
        if x == nonASCIINameByte || y == nonASCIINameByte { return normalizedConfigName(a) == normalizedConfigName(b) }
        if x != y { return false }
        if x == endOfName { return true }
    }
}

private let endOfName: UInt16 = 0x100
private let nonASCIINameByte: UInt16 = 0x200

/// The next byte of a name that counts, lower-cased (spaces and tabs skipped); `endOfName` after the last,
/// `nonASCIINameByte` for any byte of a non-ASCII character.
private func significantNameByte(_ bytes: inout String.UTF8View.Iterator) -> UInt16 {
    while let byte = bytes.next() {
        if byte == 0x20 || byte == 0x09 { continue }
        if byte >= 0x80 { return nonASCIINameByte }
        return UInt16(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
    }
    return endOfName
}
