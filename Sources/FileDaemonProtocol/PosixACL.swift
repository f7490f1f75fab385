/// A POSIX ACL in the two forms a Linux File daemon meets: the kernel's `system.posix_acl_access` /
/// `system.posix_acl_default` value (little-endian: version 2, then tag u16, permissions u16, id u32 per entry) and
/// the text of Bacula's ACL streams 1008 (access) and 1007 (default): one `tag:qualifier:rwx` entry per line, as
/// `acl_to_text` writes it (user and group names or numbers; `#effective:` comments are ignored on reading).
public struct PosixACL: Hashable, Sendable {
    public static let accessStream: Int32 = 1008
    public static let defaultStream: Int32 = 1007

    public enum Tag: UInt16, Hashable, Sendable {
        case userObject = 0x01, user = 0x02, groupObject = 0x04, group = 0x08, mask = 0x10, other = 0x20
    }

    public struct Entry: Hashable, Sendable {
        public var tag: Tag
        public var permissions: UInt16
        /// The uid or gid for `user`/`group` entries.
        public var id: UInt32?

        public init(tag: Tag, permissions: UInt16, id: UInt32? = nil) {
            self.tag = tag
            self.permissions = permissions
            self.id = id
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// True for an ACL that only repeats the mode bits (owner, group, other): bacula-fd does not save those.
    public var isTrivial: Bool { entries.allSatisfy { [.userObject, .groupObject, .other].contains($0.tag) } }

    /// Reads the kernel's xattr value; nil if it is not version 2 or has a partial entry.
    public init?(xattr bytes: [UInt8]) {
        guard bytes.count >= 4, (bytes.count - 4) % 8 == 0, Self.le32(bytes, 0) == 2 else { return nil }
        var entries: [Entry] = []
        var offset = 4
        while offset < bytes.count {
            let rawTag = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
            guard let tag = Tag(rawValue: rawTag) else { return nil }
            let permissions = UInt16(bytes[offset + 2]) | UInt16(bytes[offset + 3]) << 8
            let id = Self.le32(bytes, offset + 4)
            entries.append(Entry(tag: tag, permissions: permissions, id: tag == .user || tag == .group ? id : nil))
            offset += 8
        }
        self.entries = entries
    }

    /// The kernel's xattr value (entries in the kernel's order: by tag, then id).
    public var xattr: [UInt8] {
        var out: [UInt8] = [2, 0, 0, 0]
        for entry in entries.sorted(by: { ($0.tag.rawValue, $0.id ?? 0) < ($1.tag.rawValue, $1.id ?? 0) }) {
            let id = entry.id ?? 0xFFFF_FFFF
            out += [UInt8(entry.tag.rawValue & 0xFF), UInt8(entry.tag.rawValue >> 8)]
            out += [UInt8(entry.permissions & 0xFF), UInt8(entry.permissions >> 8)]
            out += [UInt8(id & 0xFF), UInt8((id >> 8) & 0xFF), UInt8((id >> 16) & 0xFF), UInt8(id >> 24)]
        }
        return out
    }

    /// The long text form, qualifiers written by `name` (a uid or gid → name lookup; nil keeps the number).
    public func text(userName: (UInt32) -> String? = { _ in nil }, groupName: (UInt32) -> String? = { _ in nil }) -> String {
        entries.map { entry in
            let perms = (entry.permissions & 4 != 0 ? "r" : "-") + (entry.permissions & 2 != 0 ? "w" : "-") + (entry.permissions & 1 != 0 ? "x" : "-")
            switch entry.tag {
            case .userObject: return "user::\(perms)\n"
            case .user: return "user:\(entry.id.flatMap(userName) ?? String(entry.id ?? 0)):\(perms)\n"
            case .groupObject: return "group::\(perms)\n"
            case .group: return "group:\(entry.id.flatMap(groupName) ?? String(entry.id ?? 0)):\(perms)\n"
            case .mask: return "mask::\(perms)\n"
            case .other: return "other::\(perms)\n"
            }
        }.joined()
    }

    /// Parses the long or the short (`u::rw-,g::r--`) text form; names go through `userID`/`groupID`.
    public init(text: String, userID: (String) -> UInt32? = { _ in nil }, groupID: (String) -> UInt32? = { _ in nil }) throws(PosixACLError) {
        var entries: [Entry] = []
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "," }) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: " \t")
            if line.isEmpty { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { throw PosixACLError(entry: line) }
            let tagText = fields[0], qualifier = fields[1], perms = fields[2]
            var permissions: UInt16 = 0
            for c in perms {
                switch c {
                case "r": permissions |= 4
                case "w": permissions |= 2
                case "x": permissions |= 1
                case "-": break
                default: throw PosixACLError(entry: line)
                }
            }
            let tag: Tag
            var id: UInt32?
            switch (tagText, qualifier.isEmpty) {
            case ("user", true), ("u", true): tag = .userObject
            case ("user", false), ("u", false):
                tag = .user
                id = UInt32(qualifier) ?? userID(qualifier)
            case ("group", true), ("g", true): tag = .groupObject
            case ("group", false), ("g", false):
                tag = .group
                id = UInt32(qualifier) ?? groupID(qualifier)
            case ("mask", _), ("m", _): tag = .mask
            case ("other", _), ("o", _): tag = .other
            default: throw PosixACLError(entry: line)
            }
            if (tag == .user || tag == .group) && id == nil { throw PosixACLError(entry: line) }
            entries.append(Entry(tag: tag, permissions: permissions, id: id))
        }
        self.entries = entries
    }

    static func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}

/// An ACL text entry that cannot be read (or names an unknown user or group).
public struct PosixACLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var entry: String
    public var description: String { "ACL entry \"\(entry)\" cannot be read" }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
