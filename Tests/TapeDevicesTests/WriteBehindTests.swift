import Foundation
import Testing

@testable import TapeDevices

#if canImport(Glibc)
import Glibc
#endif

@Suite struct WriteBehindTests {
    @Test func handsEachWindowToWritebackAndDropsTheOnesLagBehind() {
        var plan = WriteBehind(window: 100, lag: 2)
        #expect(plan.wrote(0..<60).isEmpty)
        #expect(plan.wrote(60..<120) == [.startWriteback(0..<120)])
        #expect(plan.wrote(120..<219).isEmpty)
        #expect(plan.wrote(219..<220) == [.startWriteback(120..<220)])
        #expect(plan.wrote(220..<400) == [.startWriteback(220..<400), .finishAndDrop(0..<120)])
        #expect(plan.underWay == [120..<220, 220..<400])
        #expect(plan.unflushedFrom == 400)
    }

    @Test func countsFromTheFirstWriteNotFromTheStartOfTheImage() {
        var plan = WriteBehind(window: 100, lag: 1)
        // an image reopened at its end of data: nothing before the first write is the writer's
        #expect(plan.wrote(5_000..<5_050).isEmpty)
        #expect(plan.wrote(5_050..<5_100) == [.startWriteback(5_000..<5_100)])
    }

    @Test func leavesTheAllowanceBehindTheWriterToTheKernel() {
        var plan = WriteBehind(window: 100, lag: 1, allowance: 250)
        #expect(plan.wrote(0..<300).isEmpty)  // 50 bytes behind the allowance: less than a window
        #expect(plan.wrote(300..<349).isEmpty)
        #expect(plan.wrote(349..<400) == [.startWriteback(0..<150)])
        #expect(plan.unflushedFrom == 150)
        #expect(plan.wrote(400..<600) == [.startWriteback(150..<350), .finishAndDrop(0..<150)])
        // a volume cut back into the allowance: what is written next counts from the cut
        plan.truncated(at: 200)
        #expect(plan.underWay == [150..<200])
        #expect(plan.wrote(200..<500).isEmpty)
        #expect(plan.wrote(500..<560) == [.startWriteback(200..<310), .finishAndDrop(150..<200)])
    }

    @Test func aTruncationForgetsWhatItCutAndCountsFromTheCut() {
        var plan = WriteBehind(window: 100, lag: 3)
        _ = plan.wrote(0..<100)
        _ = plan.wrote(100..<200)
        _ = plan.wrote(200..<250)
        plan.truncated(at: 250)  // a write at the end: nothing changes
        #expect(plan.underWay == [0..<100, 100..<200])
        #expect(plan.unflushedFrom == 200)
        plan.truncated(at: 150)  // rewritten from the middle of a stretch under way
        #expect(plan.underWay == [0..<100, 100..<150])
        #expect(plan.unflushedFrom == 150)
        #expect(plan.wrote(150..<260) == [.startWriteback(150..<260)])
        plan.truncated(at: 20)
        #expect(plan.underWay == [0..<20])
        #expect(plan.unflushedFrom == 20)
    }

    /// Random writes and truncations: stretches under way never overlap, stay in order, never pass the unflushed
    /// start, and never more than `lag` of them are under way; a stretch handed to writeback ends the allowance
    /// behind the writer.
    @Test func stretchesStayOrderedDisjointAndBounded() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var plan = WriteBehind(
                window: Int64.random(in: 1...64, using: &generator), lag: Int.random(in: 1...4),
                allowance: Int64.random(in: 0...100, using: &generator))
            var end: Int64 = 0
            for _ in 0..<100 {
                if Int.random(in: 0..<8, using: &generator) == 0 {
                    end = Int64.random(in: 0...end, using: &generator)
                    plan.truncated(at: end)
                } else {
                    let length = Int64.random(in: 1...40, using: &generator)
                    let actions = plan.wrote(end..<(end + length))
                    end += length
                    // what is handed to writeback ends exactly the allowance behind the writer
                    if case .startWriteback(let stretch) = actions.first { #expect(stretch.upperBound == end - plan.allowance) }
                }
                #expect(plan.underWay.count <= plan.lag)
                for (a, b) in zip(plan.underWay, plan.underWay.dropFirst()) { #expect(a.upperBound <= b.lowerBound) }
                if let last = plan.underWay.last, let from = plan.unflushedFrom { #expect(last.upperBound <= from) }
                if let from = plan.unflushedFrom { #expect(from <= end) }
            }
        }
    }

    /// One MiB of a fixed pattern: 64 of them make the images of the page-cache tests.
    private static let block = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }

    /// A 64 MiB image written through a virtual tape keeps at most a few windows in the page cache with
    /// write-behind (the default), and all of it without; both read back the same.
    @Test func aVirtualTapeKeepsOnlyAFewWindowsOfItsImageInThePageCache() throws {
        try expectFewWindowsResident(name: "vtape") { path, behind in
            let tape = try VirtualTape(path: path, writable: true)
            if !behind { tape.writeBehind = nil }
            for _ in 0..<64 { try Self.block.withUnsafeBytes { try tape.writeBlock($0) } }
            let resident = try residentBytes(path)
            try tape.close()
            let reader = try VirtualTape(path: path, writable: false)
            #expect(reader.recordCount(inFile: 0) == 64)
            for _ in 0..<64 { #expect(try reader.readBlock() == Self.block) }
            return resident
        }
    }

    /// A 64 MiB file volume appended through its drive, with an allowance of 16 MiB, keeps the allowance and at most a
    /// few windows more in the page cache with write-behind, and all of it without; both read back the same.
    @Test func aFileVolumeKeepsOnlyItsAllowanceAndAFewWindowsInThePageCache() throws {
        try expectFewWindowsResident(name: "volume", allowance: 16 << 20) { path, behind in
            let drive = try FileVolumeDrive(path: path, writable: true)
            drive.writeBehind = behind ? WriteBehind(allowance: 16 << 20) : nil
            for _ in 0..<64 { try Self.block.withUnsafeBytes { try drive.writeBlock($0) } }
            let resident = try residentBytes(path)
            #expect(drive.size == 64 << 20)
            try drive.close()
            let image = try #require(FileManager.default.contents(atPath: path))
            #expect(image.count == 64 << 20)
            for index in 0..<64 where !image[(index << 20)..<((index + 1) << 20)].elementsEqual(Self.block) {
                Issue.record("block \(index) reads back different")
            }
            return resident
        }
    }

    /// Runs `write(path, writeBehind)` with and without write-behind on a fresh file; it returns the bytes of the
    /// file resident in the page cache after 64 MiB. With write-behind at most the allowance and `lag + 1` windows
    /// (+ 2 MiB) may be.
    private func expectFewWindowsResident(
        name: String, allowance: Int = 0, _ write: (String, Bool) throws -> Int
    ) throws {
        var resident: [Bool: Int] = [:]
        for behind in [true, false] {
            let path = scratch("write-behind-\(behind).\(name)")
            try? FileManager.default.removeItem(atPath: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            resident[behind] = try write(path, behind)
        }
        let window = Int(WriteBehind().window), lag = WriteBehind().lag
        #expect(try #require(resident[true]) <= allowance + (lag + 1) * window + (2 << 20))
        // the allowance behind the writer is left alone: none of it was dropped
        #expect(try #require(resident[true]) >= allowance)
        #expect(try #require(resident[false]) >= 60 << 20)
    }

    /// Bytes of `path` in the page cache (`mincore(2)` over a read-only mapping).
    private func residentBytes(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SystemError(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError(call: "fstat", path: path, errno: errno) }
        let size = Int(info.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw SystemError(call: "mmap", path: path, errno: errno)
        }
        defer { munmap(map, size) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (size + page - 1) / page)
        guard mincore(map, size, &vector) == 0 else { throw SystemError(call: "mincore", path: path, errno: errno) }
        return vector.reduce(0) { $0 + Int($1 & 1) } * page
    }
}
