import Foundation

/// A generated tree of files that exercises what a backup must keep: many sizes (one of `bigFileBytes`), an empty
/// file, a sparse file, hard links, symlinks, nested directories, names with spaces and UTF-8, a path longer than
/// 255 bytes, unusual modes and owners, and fixed modification times.
public enum DataSet {
    /// Modification time given to every generated entry (2024-01-02 03:04:05 UTC).
    public static let modificationTime: TimeInterval = 1_704_164_645

    /// Writes the tree under `root` (which must exist and be empty). Runs as root (it sets owners).
    public static func generate(at root: String, bigFileBytes: Int) throws {
        let manager = FileManager.default
        func write(_ relative: String, _ data: Data, mode: Int = 0o644) throws {
            let path = root + "/" + relative
            try manager.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
            try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        var generator = SplitMix64(seed: 20_261_126)
        func bytes(_ count: Int) -> Data {
            var array = [UInt8](repeating: 0, count: count)
            for index in 0..<count { array[index] = UInt8(truncatingIfNeeded: generator.next()) }
            return Data(array)
        }
        for size in [1, 100, 4095, 4096, 65_535, 65_536, 65_537, 1_000_000, 5_242_881] {
            try write("sizes/file-\(size).bin", bytes(size))
        }
        try write("empty.txt", Data())
        try write("name with spaces.txt", Data("spaces in the name\n".utf8))
        try write("ünïcødé-名前-файл.txt", Data("UTF-8 name\n".utf8))
        try write("modes/private.key", Data("secret\n".utf8), mode: 0o600)
        try write("modes/tool.sh", Data("#!/bin/sh\necho hi\n".utf8), mode: 0o755)
        try write("modes/readonly.txt", Data("read only\n".utf8), mode: 0o444)
        try write("owners/someone-else.txt", Data("owned by 1234:5678\n".utf8))
        _ = chown(root + "/owners/someone-else.txt", 1234, 5678)
        try write("links/target.txt", Data("the target\n".utf8))
        try manager.linkItem(atPath: root + "/links/target.txt", toPath: root + "/links/hard-link.txt")
        try manager.createSymbolicLink(atPath: root + "/links/relative-symlink", withDestinationPath: "target.txt")
        try manager.createSymbolicLink(atPath: root + "/links/dangling-symlink", withDestinationPath: "/nonexistent/target")
        try write("nested/a/b/c/d/deep.txt", Data("deep\n".utf8))
        let longDirectory = (1...5).map { "directory-level-\($0)-" + String(repeating: "x", count: 40) }.joined(separator: "/")
        try write("long/" + longDirectory + "/a-file-at-the-end-of-a-long-path.txt", Data("long path\n".utf8))
        // A sparse file: 8 MiB with 64 KiB of data at 0 and at 6 MiB, holes elsewhere.
        let sparse = root + "/sparse.img"
        _ = manager.createFile(atPath: sparse, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: sparse))
        try handle.write(contentsOf: bytes(65_536))
        try handle.seek(toOffset: 6 << 20)
        try handle.write(contentsOf: bytes(65_536))
        try handle.truncate(atOffset: 8 << 20)
        try handle.close()
        // The big file: 1 MiB of random data repeated, each MiB stamped with its index so misplaced blocks show.
        if bigFileBytes > 0 {
            let chunk = bytes(1 << 20)
            let big = root + "/big.bin"
            _ = manager.createFile(atPath: big, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
            var written = 0
            var index: UInt64 = 0
            while written < bigFileBytes {
                var piece = chunk.prefix(min(chunk.count, bigFileBytes - written))
                withUnsafeBytes(of: index.bigEndian) { stamp in
                    piece.replaceSubrange(piece.startIndex..<(piece.startIndex + min(8, piece.count)), with: stamp.prefix(piece.count))
                }
                try out.write(contentsOf: piece)
                written += piece.count
                index += 1
            }
            try out.close()
        }
        try setTimes(under: root)
    }

    /// Sets every entry's access and modification time to `modificationTime` (symlinks themselves included),
    /// deepest first so directories keep theirs.
    public static func setTimes(under root: String) throws {
        let paths = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted { $0.count > $1.count }
        for relative in paths + [""] {
            let path = relative.isEmpty ? root : root + "/" + relative
            var times = [
                timespec(tv_sec: Int(modificationTime), tv_nsec: 0), timespec(tv_sec: Int(modificationTime), tv_nsec: 0),
            ]
            _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
        }
    }

    /// One line per entry: type, mode, owner, group, mtime in whole seconds (what Bacula 9.6 keeps), link target,
    /// relative path; plus a size line per regular file. Without `directoryTimes`, directories show no mtime.
    public static func listing(of root: String, directoryTimes: Bool = true) async throws -> [String] {
        let result = try await Command.run(
            "/usr/bin/find",
            [root, "-mindepth", "1", "(", "-type", "d", "-printf", directoryTimes ? "%y %m %U %G %Ts %l %P\\n" : "%y %m %U %G %l %P\\n",
                ")", "-o", "-printf", "%y %m %U %G %Ts %l %P\\n"])
        let sizes = try await Command.run("/usr/bin/find", [root, "-mindepth", "1", "-type", "f", "-printf", "%s %P\\n"])
        return (result.output.split(separator: "\n") + sizes.output.split(separator: "\n")).map(String.init).sorted()
    }
}

/// A small deterministic random generator for test data.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
