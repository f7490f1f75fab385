import CapstanTestSupport
import Foundation

/// A small ext4 filesystem of the test's own, loop-mounted on an existing empty directory (a full disk on demand;
/// needs root, as the test command runs). The image lives beside the mount point; `unmount()` (or deinit, lazily)
/// takes it away.
final class LoopFilesystem: @unchecked Sendable {
    let mountPoint: String
    let image: String
    private var mounted = false

    init(megabytes: Int, mountedOn mountPoint: String) throws {
        self.mountPoint = mountPoint
        image = mountPoint + ".img"
        for command in [
            ["/usr/bin/truncate", "-s", "\(megabytes)M", image],
            // -m 0: no blocks reserved for root (the daemons run as root and would use them)
            ["/usr/sbin/mkfs.ext4", "-q", "-F", "-m", "0", image],
            ["/usr/bin/mount", "-o", "loop", image, mountPoint],
        ] {
            let result = try Command.runMerged(command, timeout: 60)
            guard result.status == 0 else {
                try? FileManager.default.removeItem(atPath: image)
                throw CommandFailure(description: "\(command.joined(separator: " ")): \(result.output)")
            }
        }
        mounted = true
    }

    /// Bytes free on the filesystem now.
    var freeBytes: Int64 {
        var info = statvfs()
        guard statvfs(mountPoint, &info) == 0 else { return -1 }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Unmounts (lazily if something still holds it) and removes the image.
    func unmount() {
        guard mounted else { return }
        mounted = false
        if (try? Command.runMerged(["/usr/bin/umount", mountPoint], timeout: 60))?.status != 0 {
            _ = try? Command.runMerged(["/usr/bin/umount", "-l", mountPoint], timeout: 60)
        }
        try? FileManager.default.removeItem(atPath: image)
    }

    deinit { unmount() }
}
