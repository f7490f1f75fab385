import Foundation
import StorageDaemon
import Testing
import TapeDevices

/// `SpoolIO.system` on a real file system: O_DIRECT where the file system takes it (the test's temporary
/// directory, on disk), the page cache with dropped pages where it refuses it.
@Suite struct SpoolDiskTests {
    /// Writes an aligned slot (the spooler's case) and an unaligned array (the disk-full retry's case, through the
    /// bounce buffer), reads both back, aligned and not.
    func roundTrip(_ path: String) throws -> Bool {
        let io = SpoolIO.system
        let fd = try io.create(path)
        defer { io.remove(fd, path) }
        let direct = SystemCall.isDirect(fd)
        let slot = 1 << 20
        let aligned = UnsafeMutableRawBufferPointer.allocate(byteCount: slot, alignment: io.alignment)
        defer { aligned.deallocate() }
        for i in 0..<slot { aligned[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        let length = slot - 5000  // a block shorter than its slot, written rounded up as the spooler does
        try io.write(fd, UnsafeRawBufferPointer(rebasing: aligned[0..<io.padded(length)]), 0, path)
        let odd: [UInt8] = (0..<10_001).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try odd.withUnsafeBytes { try io.write(fd, $0, Int64(slot), path) }

        let back = UnsafeMutableRawBufferPointer.allocate(byteCount: slot, alignment: io.alignment)
        defer { back.deallocate() }
        let n = try io.read(fd, UnsafeMutableRawBufferPointer(rebasing: back[0..<io.padded(length)]), 0, path)
        #expect(n >= length)
        #expect(memcmp(back.baseAddress!, aligned.baseAddress!, length) == 0)
        var oddBack = [UInt8](repeating: 0, count: odd.count)
        let m = try oddBack.withUnsafeMutableBytes { try io.read(fd, $0, Int64(slot), path) }
        #expect(m == odd.count)
        #expect(oddBack == odd)
        return direct
    }

    @Test func spoolFilesOnDiskBypassThePageCache() throws {
        let scratch = Scratch("spool-disk")
        defer { scratch.cleanup() }
        let directory = scratch.directory("spool")
        #expect(try roundTrip(directory + "/direct.spool"), "spool file not opened with O_DIRECT on \(directory)")
    }

    /// Where O_DIRECT is refused at the transfer (here: an offset that is not a multiple of a page, which the
    /// spool itself never uses), the file goes on through the page cache. (tmpfs, the usual file system that
    /// refused O_DIRECT at open, takes it since Linux 6.6.)
    @Test func aTransferRefusedUnderODirectFallsBackToThePageCache() throws {
        let scratch = Scratch("spool-disk-fallback")
        defer { scratch.cleanup() }
        let path = scratch.directory("spool") + "/fallback.spool"
        let io = SpoolIO.system
        let fd = try io.create(path)
        defer { io.remove(fd, path) }
        try #require(SystemCall.isDirect(fd))
        let bytes: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try bytes.withUnsafeBytes { try io.write(fd, $0, 1000, path) }
        #expect(!SystemCall.isDirect(fd), "the descriptor still has O_DIRECT after a refused transfer")
        var back = [UInt8](repeating: 0, count: bytes.count)
        let n = try back.withUnsafeMutableBytes { try io.read(fd, $0, 1000, path) }
        #expect(n == bytes.count)
        #expect(back == bytes)
    }
}
