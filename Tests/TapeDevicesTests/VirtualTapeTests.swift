import BaculaVolume
import CapstanTestSupport
import Foundation
import Testing

@testable import TapeDevices

/// The Bacula 9.6.7 volume fixtures (`Tests/Fixtures/bacula-9.6.7`).
enum Shared {
    /// The path of a fixture; throws `Fixtures.Missing` naming it when it is absent.
    static func path(_ name: String) throws -> String { try Fixtures.volume(name) }
}

func scratch(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-tape-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

@Suite struct VirtualTapeTests {
    @Test func fixtureTapeLayout() throws {
        let tape = try VirtualTape(path: Shared.path("TAPE01.vtape"), writable: false)
        #expect(tape.filemarkCount == 7)
        #expect((0..<8).map { tape.recordCount(inFile: $0) } == [4, 3, 3, 3, 3, 3, 1, 0])
        let label = try #require(try tape.readBlock())
        #expect(label.count == 1024)  // padded
        #expect(BlockHeader.peekLength(label.withUnsafeBytes { $0 }) == 215)
        try tape.spaceFiles(6)
        #expect(try tape.position() == TapePosition(file: 6, block: 0))
        let job4 = try #require(try tape.readBlock())
        #expect(job4.count == 3072)
        #expect(try tape.readBlock() == nil)  // filemark
        #expect(try tape.status().afterFilemark)
        #expect(try tape.readBlock() == nil)  // end of data
        #expect(try tape.status().atEndOfData)
        #expect(throws: TapeError.writeProtected) { try tape.writeFilemarks(1) }
    }

    @Test func readGrowsTheBufferWhenTheRecordIsBigger() throws {
        let tape = try VirtualTape(path: Shared.path("TAPE01.vtape"), writable: false)
        try tape.spaceRecords(1)
        var small = [UInt8](repeating: 0, count: 1000)
        #expect(throws: TapeError.blockLargerThanBuffer(needed: 64512)) {
            try small.withUnsafeMutableBytes { _ = try tape.readBlock(into: $0) }
        }
        #expect(try tape.position() == TapePosition(file: 0, block: 1))  // unchanged
        #expect(try tape.readBlock()?.count == 64512)
    }

    @Test func writeSpaceAndReopen() throws {
        let path = scratch("ops.vtape")
        try? FileManager.default.removeItem(atPath: path)
        do {
            let tape = try VirtualTape(path: path, writable: true)
            for file in 0..<3 {
                for block in 0..<(file + 2) {
                    try [UInt8](repeating: UInt8(file * 16 + block), count: 1024 * (block + 1)).withUnsafeBytes {
                        try tape.writeBlock($0)
                    }
                }
                try tape.writeFilemarks(1)
            }
            #expect(try tape.position() == TapePosition(file: 3, block: 0))
            try tape.spaceFiles(-2)  // back over two filemarks: end of file 1
            #expect(try tape.position() == TapePosition(file: 1, block: 3))
            try tape.spaceRecords(-1)
            #expect(try tape.readBlock() == [UInt8](repeating: 0x12, count: 3072))
            #expect(throws: TapeError.filemarkReached(TapePosition(file: 2, block: 0))) { try tape.spaceRecords(1) }
            #expect(throws: TapeError.self) { try tape.spaceFiles(5) }
            try tape.rewind()
            try tape.spaceFiles(2)
            try tape.spaceRecords(3)
            #expect(try tape.readBlock() == [UInt8](repeating: 0x23, count: 4096))
            // overwrite: writing in file 1 drops everything after
            try tape.rewind()
            try tape.spaceFiles(1)
            try tape.spaceRecords(1)
            try [UInt8](repeating: 0xEE, count: 512).withUnsafeBytes { try tape.writeBlock($0) }
            try tape.close()  // appends a filemark after a write
        }
        let again = try VirtualTape(path: path, writable: false)
        #expect(again.filemarkCount == 2)
        #expect((0..<3).map { again.recordCount(inFile: $0) } == [2, 2, 0])
        try again.seekEndOfData()
        #expect(try again.position() == TapePosition(file: 2, block: 0))
        // the filemark chain is consistent: header -> mark 1 -> mark 2
        let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func i64(_ at: Int) -> Int64 { raw[at..<(at + 8)].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) } }
        let first = Int(i64(12))
        #expect(first > 0 && i64(first + 4) == 0)
        let second = Int(i64(first + 12))
        #expect(second > first && i64(second + 4) == Int64(first) && i64(second + 12) == 0)
        #expect(second + 20 == raw.count)
    }

    @Test func endOfMediumAtCapacity() throws {
        let path = scratch("small.vtape")
        try? FileManager.default.removeItem(atPath: path)
        let tape = try VirtualTape(path: path, writable: true, capacity: 5000)
        let block = [UInt8](repeating: 1, count: 2048)
        try block.withUnsafeBytes { try tape.writeBlock($0) }
        try block.withUnsafeBytes { try tape.writeBlock($0) }
        #expect(throws: TapeError.endOfMedium) { try block.withUnsafeBytes { try tape.writeBlock($0) } }
    }

    @Test func systemErrorsAreTyped() {
        #expect(throws: SystemError.self) { _ = try SystemCall.open("/nonexistent/x", flags: 0) }
        do {
            _ = try SystemCall.open("/nonexistent/x", flags: 0)
        } catch {
            #expect(error.kind == .notFound && error.call == "open")
        }
    }
}
