import Glibc

/// A file name as the kernel sees it: bytes, no encoding assumed (names that are not UTF-8 or hold a newline are
/// kept exactly). Calls that take a path get a NUL-terminated copy.
public struct BytePath: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    /// `self/name` (no doubled slash).
    public func appending(_ name: [UInt8]) -> BytePath {
        var out = bytes
        if out.last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        out += name
        return BytePath(out)
    }

    /// The last component.
    public var lastComponent: [UInt8] {
        var trimmed = bytes[...]
        while trimmed.count > 1, trimmed.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) { return Array(trimmed[(slash + 1)...]) }
        return Array(trimmed)
    }

    /// The directory holding this path.
    public var parent: BytePath {
        var trimmed = bytes[...]
        while trimmed.count > 1, trimmed.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else { return BytePath(".") }
        return BytePath(slash == trimmed.startIndex ? [UInt8(ascii: "/")] : Array(trimmed[..<slash]))
    }

    /// Runs `body` with a NUL-terminated copy.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var terminated = bytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            try buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0) }
        }
    }

    /// For logs and messages: invalid UTF-8 shown with replacement characters.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// `lstat` of a byte path; nil with errno set on failure.
func lstatPath(_ path: BytePath) -> stat? {
    var st = stat()
    let rc = path.withCString { lstat($0, &st) }
    return rc == 0 ? st : nil
}

/// The text of errno.
func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
