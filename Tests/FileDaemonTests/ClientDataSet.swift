import CapstanTestSupport
import Foundation
import FileDaemonProtocol
import CCapstanLinux
import Glibc

/// The shared `DataSet` plus what a File daemon in particular must keep: a FIFO, a name that is not UTF-8 and a
/// name holding a newline (made with byte paths, as Foundation cannot name them).
enum ClientDataSet {
    static let fifoName = "a-fifo"
    static let xattrs: [(String, [UInt8])] = [("user.capstan.text", Array("tape".utf8)), ("user.capstan.binary", [0, 1, 2, 0xFF, 0])]

    /// The access ACL of `path` as the kernel holds it (empty when none).
    static func accessACL(_ path: String) -> [UInt8] {
        var value = [UInt8](repeating: 0, count: 4096)
        let count = lgetxattr(path, "system.posix_acl_access", &value, value.count)
        return count > 0 ? Array(value.prefix(count)) : []
    }

    /// The extended attributes of `path` (user namespace), sorted by name.
    static func extendedAttributes(_ path: String) -> [String: [UInt8]] {
        var list = [CChar](repeating: 0, count: 4096)
        let size = llistxattr(path, &list, list.count)
        guard size > 0 else { return [:] }
        var out: [String: [UInt8]] = [:]
        for nameBytes in list.prefix(size).split(separator: 0) {
            let name = String(decoding: nameBytes.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var value = [UInt8](repeating: 0, count: 4096)
            let count = lgetxattr(path, name, &value, value.count)
            if count >= 0 { out[name] = Array(value.prefix(count)) }
        }
        return out
    }

    static func generate(at root: String, bigFileBytes: Int = 3 << 20) throws {
        try DataSet.generate(at: root, bigFileBytes: bigFileBytes)
        guard mkfifo(root + "/" + fifoName, 0o640) == 0 else { throw CommandFailure(description: "mkfifo failed") }
        for name in [Array("invalid-".utf8) + [0xFF, 0xFE] + Array(".txt".utf8), Array("new\nline.txt".utf8)] {
            let path = Array(root.utf8) + [UInt8(ascii: "/")] + name + [0]
            let fd = path.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
            }
            guard fd >= 0 else { throw CommandFailure(description: "cannot create a byte-named file") }
            let content = Array("odd name\n".utf8)
            _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        // Extended attributes (user namespace), one value binary.
        let tagged = root + "/xattr.txt"
        try Data("has extended attributes\n".utf8).write(to: URL(fileURLWithPath: tagged))
        for (name, value) in xattrs {
            guard value.withUnsafeBytes({ setxattr(tagged, name, $0.baseAddress, $0.count, 0) }) == 0 else {
                throw CommandFailure(description: "setxattr \(name) failed: errno \(errno)")
            }
        }
        // A POSIX ACL: user 1234 may read, through the mask.
        let acl = PosixACL(entries: [
            .init(tag: .userObject, permissions: 6), .init(tag: .user, permissions: 4, id: 1234),
            .init(tag: .groupObject, permissions: 4), .init(tag: .mask, permissions: 4), .init(tag: .other, permissions: 0),
        ]).xattr
        let guarded = root + "/acl.txt"
        try Data("has an access ACL\n".utf8).write(to: URL(fileURLWithPath: guarded))
        guard acl.withUnsafeBytes({ setxattr(guarded, "system.posix_acl_access", $0.baseAddress, $0.count, 0) }) == 0 else {
            throw CommandFailure(description: "setting an ACL failed: errno \(errno)")
        }
        // Compressible text, so a compressed backup is visibly smaller than what was read.
        let text = String(repeating: "Capstan writes Bacula volumes. ", count: 40_000)
        try text.write(toFile: root + "/compressible.txt", atomically: false, encoding: .utf8)
        try DataSet.setTimes(under: root)
    }

    /// `diff -r --no-dereference` of two trees (the FIFO left out: diff cannot compare FIFOs); empty when equal.
    static func difference(_ left: String, _ right: String) async throws -> String {
        let result = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", "--exclude=\(fifoName)", left, right], timeout: 300)
        return result.status == 0 ? "" : result.output + result.errors + " (status \(result.status))"
    }

    /// Everything that must match between a tree and its restore: the stat listing and the contents.
    static func expectIdentical(_ original: String, _ restored: String) async throws -> [String] {
        var problems: [String] = []
        let before = try await DataSet.listing(of: original)
        let after = try await DataSet.listing(of: restored)
        if before != after {
            let missing = Set(before).subtracting(after).sorted()
            let extra = Set(after).subtracting(before).sorted()
            problems.append("listing differs; only in original: \(missing.prefix(10)); only in restore: \(extra.prefix(10))")
        }
        let diff = try await difference(original, restored)
        if !diff.isEmpty { problems.append(diff) }
        return problems
    }
}
