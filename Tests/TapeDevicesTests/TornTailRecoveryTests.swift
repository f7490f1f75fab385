import BaculaVolume
import Foundation
import Testing

@testable import TapeDevices

/// What a killed writer leaves at the end of a volume, and how the devices cut it back to the last complete block.
@Suite struct TornTailRecoveryTests {
    static func block(_ number: UInt32, _ size: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var writer = BlockWriter(blockSize: size, padding: .none)
        writer.nextBlockNumber = number
        writer.setSession(id: 1, time: 2) { _ in }
        try writer.append(fileIndex: 1, stream: 2, data: [UInt8](repeating: UInt8(number), count: size - 36)) { out = Array($0) }
        writer.flush { out = Array($0) }
        return out
    }

    static func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// A file volume with a block cut short, or a whole-length last block whose bytes are wrong (a torn write):
    /// truncated after the last complete block; a sound volume is left alone.
    @Test func fileVolumeIsTruncatedAfterItsLastCompleteBlock() throws {
        let path = scratch("torn-file-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let drive = try FileVolumeDrive(path: path)
        for (n, size) in [(0, 300), (1, 5000), (2, 777)] {
            try Self.block(UInt32(n), size).withUnsafeBytes { try drive.writeBlock($0) }
        }
        try drive.close()
        #expect(try FileVolumeDrive(path: path).recoverTornTail() == nil)

        // cut short: the header of block 3 promises 4000 bytes, 1000 follow
        try Self.append(Array(try Self.block(3, 4000).prefix(1000)), to: path)
        let cut = try FileVolumeDrive(path: path)
        #expect(try cut.recoverTornTail() == FileVolumeDrive.TailRecovery(sizeBefore: 7077, sizeAfter: 6077, lastBlockNumber: 2))
        #expect(try cut.position().block == 6077)
        try cut.close()

        // whole length, torn bytes: block 3 with its second half zeroed fails its checksum
        var torn = try Self.block(3, 4000)
        for i in 2000..<4000 { torn[i] = 0 }
        try Self.append(torn, to: path)
        let bad = try FileVolumeDrive(path: path)
        #expect(try bad.recoverTornTail() == FileVolumeDrive.TailRecovery(sizeBefore: 10077, sizeAfter: 6077, lastBlockNumber: 2))
        try bad.close()
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue == 6077)
    }

    /// A virtual tape whose writer was killed: a torn record after the last file's records makes a read-only open
    /// fail; a writable open keeps the whole records, `recoverTornTail` cuts the torn one and closes the open tape
    /// file with a filemark, and the tape then reads as records, filemark, end of data.
    @Test func virtualTapeLosesItsTornRecordAndClosesTheOpenFile() throws {
        let path = scratch("torn-tape-\(UUID().uuidString).vtape")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tape = try VirtualTape(path: path, writable: true)
        try Self.block(0, 1024).withUnsafeBytes { try tape.writeBlock($0) }
        try tape.writeFilemarks(1)
        try Self.block(1, 2048).withUnsafeBytes { try tape.writeBlock($0) }
        try Self.block(2, 2048).withUnsafeBytes { try tape.writeBlock($0) }
        // killed: no closing filemark, and a record whose length promises 64 KiB with 100 bytes after it
        let sound = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        try Self.append([0, 0, 1, 0] + [UInt8](repeating: 0x5A, count: 100), to: path)

        #expect(throws: TapeError.self) { try VirtualTape(path: path, writable: false) }
        let again = try VirtualTape(path: path, writable: true)
        #expect(again.tornTail == sound)
        let recovery = try #require(try again.recoverTornTail())
        #expect(recovery.sizeBefore == sound + 104 && recovery.sizeAfter == sound + 20 && recovery.closedOpenFile)
        #expect(try again.recoverTornTail() == nil)
        try again.close()

        let read = try VirtualTape(path: path, writable: false)
        #expect(read.filemarkCount == 2)
        #expect(read.recordCount(inFile: 0) == 1 && read.recordCount(inFile: 1) == 2 && read.recordCount(inFile: 2) == 0)
    }

    /// `writeFault` makes the asked-for record's write fail with EIO and write nothing; the next write goes on.
    @Test func writeFaultFailsTheChosenRecordWithEIO() throws {
        let path = scratch("fault-tape-\(UUID().uuidString).vtape")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tape = try VirtualTape(path: path, writable: true)
        tape.writeFault = { $0 == 2 }
        try Self.block(0, 1024).withUnsafeBytes { try tape.writeBlock($0) }
        try Self.block(1, 1024).withUnsafeBytes { try tape.writeBlock($0) }
        #expect(throws: TapeError.system(SystemError(call: "write", path: path, errno: EIO))) {
            try Self.block(2, 1024).withUnsafeBytes { try tape.writeBlock($0) }
        }
        #expect(tape.recordCount(inFile: 0) == 2)
        tape.writeFault = nil
        try Self.block(2, 1024).withUnsafeBytes { try tape.writeBlock($0) }
        #expect(tape.recordCount(inFile: 0) == 3)
        try tape.close()
    }
}
