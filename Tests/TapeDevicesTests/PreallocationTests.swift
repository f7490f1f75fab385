import Foundation
import Testing

@testable import TapeDevices

#if canImport(Glibc)
import Glibc
#endif

@Suite struct PreallocationTests {
    /// Random writes front to back with truncations: a write past what is reserved gets exactly the space from the
    /// reserved end (or the write's start) to the next chunk boundary at or past the write's end; a write within it
    /// gets nothing; reservations never overlap what was reserved before.
    @Test func reservesWholeChunksAheadOfTheWriterAndNeverTwice() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let chunk = Int64.random(in: 1...100, using: &generator)
            var end = Int64.random(in: 0...300, using: &generator)
            var plan = Preallocation(chunk: chunk, from: end)
            #expect(plan.reservedEnd == end)
            for _ in 0..<100 {
                if Int.random(in: 0..<8, using: &generator) == 0 {
                    end = Int64.random(in: 0...end, using: &generator)
                    plan.truncated(at: end)
                    #expect(plan.reservedEnd <= end)
                    continue
                }
                let write = end..<(end + Int64.random(in: 1...150, using: &generator))
                let before = plan.reservedEnd
                let reserve = plan.willWrite(write)
                if write.upperBound <= before {
                    #expect(reserve == nil)
                    #expect(plan.reservedEnd == before)
                } else {
                    guard let range = reserve else {
                        Issue.record("no reservation for \(write) past \(before)")
                        break
                    }
                    #expect(range.lowerBound == max(before, write.lowerBound))
                    #expect(range.upperBound == plan.reservedEnd)
                    #expect(plan.reservedEnd >= write.upperBound)
                    #expect(plan.reservedEnd % chunk == 0 || plan.reservedEnd == write.upperBound)
                    #expect(plan.reservedEnd - write.upperBound < chunk)
                }
                end = write.upperBound
                #expect(plan.holdsSpace(past: end) == (plan.reservedEnd > end))
            }
        }
    }

    /// A File volume reserves a chunk of disk ahead of its blocks while it is written (the file's size still counts
    /// only the blocks) and gives it back when closed; what is written reads back the same.
    @Test func aFileVolumeReservesItsSpaceAheadAndGivesBackTheRestWhenClosed() throws {
        let path = scratch("preallocated.volume")
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let block = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let drive = try FileVolumeDrive(path: path, writable: true)
        for _ in 0..<3 { try block.withUnsafeBytes { try drive.writeBlock($0) } }
        // the scratch file system (ext4 on the machines the tests run on) must take the reservation
        #expect(drive.preallocation?.reservedEnd == Preallocation.fileVolumeChunk)
        #expect(try allocatedBytes(path) >= Preallocation.fileVolumeChunk)
        #expect(try sizeInBytes(path) == 3 << 20)
        try drive.close()
        #expect(try allocatedBytes(path) < (3 << 20) + (256 << 10))
        let image = try #require(FileManager.default.contents(atPath: path))
        #expect(image.count == 3 << 20)
        for index in 0..<3 where !image[(index << 20)..<((index + 1) << 20)].elementsEqual(block) {
            Issue.record("block \(index) reads back different")
        }
    }

    /// Relabelling (rewind, then a write at the start) cuts the volume and what was reserved past the cut; appending
    /// to a volume opened again reserves from its end.
    @Test func aRelabelAndAReopenReserveFromTheVolumesEnd() throws {
        let path = scratch("relabelled.volume")
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let block = [UInt8](repeating: 0x5A, count: 1 << 20)
        let drive = try FileVolumeDrive(path: path, writable: true)
        for _ in 0..<2 { try block.withUnsafeBytes { try drive.writeBlock($0) } }
        try drive.rewind()
        try block.withUnsafeBytes { try drive.writeBlock($0) }
        #expect(drive.size == 1 << 20)
        #expect(drive.preallocation?.reservedEnd == Preallocation.fileVolumeChunk)
        try drive.close()
        #expect(try allocatedBytes(path) < (1 << 20) + (256 << 10))
        let again = try FileVolumeDrive(path: path, writable: true)
        #expect(again.preallocation?.reservedEnd == 1 << 20)
        try block.withUnsafeBytes { try again.writeBlock($0) }
        #expect(again.preallocation?.reservedEnd == Preallocation.fileVolumeChunk)
        try again.close()
        #expect(try sizeInBytes(path) == 2 << 20)
    }

    private func fileStatus(_ path: String) throws -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw SystemError(call: "lstat", path: path, errno: errno) }
        return info
    }

    /// Bytes of disk the file holds (`st_blocks` counts 512-byte units).
    private func allocatedBytes(_ path: String) throws -> Int64 { Int64(try fileStatus(path).st_blocks) * 512 }

    private func sizeInBytes(_ path: String) throws -> Int64 { Int64(try fileStatus(path).st_size) }
}
