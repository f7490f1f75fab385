import BaculaVolume
import Foundation
import StorageDaemon
import Testing
import TapeDevices

/// The data path writing `Device Type = File` volumes (spec §2, §8.8, §11.1): the same spool, despooler and drive
/// writer, with a `FileVolumeDrive` and `.file` medium. Checked with BaculaVolume's reader and the real bls.
@Suite(.serialized) struct FileVolumeTests {
    static let mib: Int64 = 1 << 20

    static func spool(_ scratch: Scratch, total: Int64 = 4 * mib, job: Int64 = 4 * mib, turnBlocks: Int = 64)
        -> SpoolConfiguration
    {
        SpoolConfiguration(
            directory: scratch.directory("spool"), storageName: "capstan-sd", deviceName: "FileDev",
            maximumSpoolSize: total, maximumJobSpoolSize: job, turnBlocks: turnBlocks)
    }

    /// One job, spooled or direct, into a fresh file volume: blocks back to back with no padding, byte-offset
    /// addresses, block numbers after the label, JobMedia from the SOS block to the last byte, every record back,
    /// and the real bls lists the job with Status=T.
    @Test(arguments: [false, true])
    func oneJobIntoAFileVolume(direct: Bool) async throws {
        let scratch = Scratch("file-one-\(direct)")
        defer { scratch.cleanup() }
        let library = FileVolumeLibrary(scratch: scratch)
        let path = try DeviceDataPath(
            spool: Self.spool(scratch), drive: .fileVolumes(), firstVolume: try library.mount(1),
            owner: library.owner)
        let plan = JobPlan(jobID: direct ? 42 : 41, files: 6, chunks: 20)  // about 7.5 MiB
        let outcome = direct ? try await runDirectJob(path, plan) : try await runJob(path, plan)
        let stats = try await path.close()
        try library.closeAll()

        let size = library.size(1)
        let session = SessionKey(id: plan.jobID, time: sessionTime)
        #expect(stats.filemarks == 0)
        #expect(stats.bytes == size)
        let back = try readBackFiles([library.path(1)])
        #expect(back.damaged == 0)
        #expect(matches(back, plan))
        #expect(blocksAreBackToBack(back, fileSize: size))
        #expect(back.labels.count == 1)
        #expect(back.label(.startOfSession, of: session).count == 1)
        // label block 0, then the job's blocks 1, 2, ... (spec §3.5)
        #expect(back.blocks.map(\.0.blockNumber) == (0..<UInt32(back.blocks.count)).map { $0 })
        // full blocks are exactly Maximum Block Size minus less than one record header: nothing padded
        #expect(back.blocks.dropFirst().dropLast(2).allSatisfy { $0.0.length > (1 << 20) - 12 && $0.0.length <= 1 << 20 })

        let labelLength = UInt64(try #require(back.blocks.first).0.length)
        let segment = try #require(outcome.segments.first)
        #expect(outcome.segments.count == 1)
        #expect(segment.start == .offset(labelLength))
        #expect(segment.end == .offset(UInt64(size) - 1))
        #expect(segment.firstFileIndex == 1 && segment.lastFileIndex == 6)
        #expect(library.allSegments == outcome.segments)
        let lastBlock = try #require(back.blocks.last)
        let totals = try #require(outcome.endOfSession.totals)
        #expect(totals.startFile == 0 && totals.startBlock == UInt32(labelLength))
        #expect(UInt64(totals.endFile) << 32 | UInt64(totals.endBlock) == lastBlock.1.rawValue)
        #expect(totals.jobFiles == 6 && totals.jobBytes == plan.bytes)

        let bls = try RealBaculaFileDevice(directory: library.directory, scratch: scratch).jobs([library.name(1)])
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("JobId=\(plan.jobID)"), "\(bls.output)")
        #expect(bls.output.contains("Files=6"), "\(bls.output)")
        #expect(bls.output.contains("Status=T"), "\(bls.output)")
        #expect(!bls.output.lowercased().contains("error:"), "\(bls.output)")
        #expect(!bls.output.lowercased().contains("checksum"), "\(bls.output)")
    }

    /// Maximum Volume Bytes reached: the writer asks for the next volume and the job goes on there (VOL_LABEL, the
    /// block that did not fit, the rest). The first file never passes the limit; both volumes read as one set give
    /// every record back, including the one split at the boundary; JobMedia has one segment per volume.
    @Test(arguments: [false, true])
    func maximumVolumeBytesContinuesOnTheNextVolume(direct: Bool) async throws {
        let scratch = Scratch("file-max-\(direct)")
        defer { scratch.cleanup() }
        let library = FileVolumeLibrary(scratch: scratch)
        let limit = 5 * Self.mib + 123_457
        let path = try DeviceDataPath(
            spool: Self.spool(scratch), drive: .fileVolumes(maximumVolumeBytes: limit),
            firstVolume: try library.mount(1), owner: library.owner)
        let plan = JobPlan(jobID: direct ? 52 : 51, files: 4, chunks: 30)  // about 7.5 MiB
        let outcome = direct ? try await runDirectJob(path, plan) : try await runJob(path, plan)
        let stats = try await path.close()
        try library.closeAll()

        #expect(library.mounted == 2 && stats.volumes == 2)
        #expect(library.size(1) <= limit && library.size(1) > limit - Self.mib)
        let report = try #require(library.endOfMediumReports.first)
        #expect(report.volumeName == "FILE1" && report.jobID == plan.jobID && report.bytes == library.size(1))
        #expect(outcome.segments.map(\.volumeName) == ["FILE1", "FILE2"])
        #expect(outcome.segments.map(\.volumeIndex) == [1, 2])
        #expect(outcome.segments[0].end == .offset(UInt64(library.size(1)) - 1))
        #expect(outcome.segments[1].end == .offset(UInt64(library.size(2)) - 1))

        let session = SessionKey(id: plan.jobID, time: sessionTime)
        let first = try readBackFiles([library.path(1)])
        let second = try readBackFiles([library.path(2)])
        #expect(blocksAreBackToBack(first, fileSize: library.size(1)))
        #expect(blocksAreBackToBack(second, fileSize: library.size(2)))
        #expect(first.label(.endOfSession, of: session).isEmpty && second.label(.startOfSession, of: session).isEmpty)
        #expect(second.label(.endOfSession, of: session).count == 1)
        #expect(second.records[session]?.first?.isContinuation == true)
        let label2 = try #require(second.labels.first)
        #expect(label2.stream == 2)
        #expect(try VolumeLabel(decoding: label2.data).volumeName == "FILE2")
        // the second volume's segment starts right after its label
        #expect(outcome.segments[1].start == .offset(UInt64(try #require(second.blocks.first).0.length)))
        // block numbers of the job continue across the volumes
        let n1 = first.blocks.dropFirst().map(\.0.blockNumber)
        let n2 = second.blocks.dropFirst().map(\.0.blockNumber)
        #expect(n2.first == (n1.last ?? 0) + 1)

        let both = try readBackFiles([library.path(1), library.path(2)])
        #expect(both.damaged == 0)
        #expect(matches(both, plan))

        let bls = try RealBaculaFileDevice(directory: library.directory, scratch: scratch)
            .jobs([library.name(1), library.name(2)])
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("JobId=\(plan.jobID)") && bls.output.contains("Status=T"), "\(bls.output)")
        #expect(bls.output.contains("Files=4"), "\(bls.output)")
    }

    /// A second data path appends to a written file volume: no new label, the job starts at the old end of the
    /// file, its block numbers continue after the volume's last block; both jobs read back and bls lists both.
    @Test func appendsToAWrittenFileVolume() async throws {
        let scratch = Scratch("file-append")
        defer { scratch.cleanup() }
        let library = FileVolumeLibrary(scratch: scratch)
        let first = JobPlan(jobID: 61, files: 2, chunks: 20)
        let second = JobPlan(jobID: 62, files: 3, chunks: 10)
        do {
            let path = try DeviceDataPath(
                spool: Self.spool(scratch), drive: .fileVolumes(), firstVolume: try library.mount(1),
                owner: library.owner)
            _ = try await runJob(path, first)
            _ = try await path.close()
            try library.closeAll()
        }
        let before = library.size(1)
        let lastBefore = try #require(readBackFiles([library.path(1)]).blocks.last).0.blockNumber
        let path = try DeviceDataPath(
            spool: Self.spool(scratch), drive: .fileVolumes(), firstVolume: try library.mount(1, medium: .append),
            owner: library.owner)
        let outcome = try await runDirectJob(path, second)
        _ = try await path.close()
        try library.closeAll()
        #expect(outcome.segments.first?.start == .offset(UInt64(before)))
        #expect(outcome.segments.first?.end == .offset(UInt64(library.size(1)) - 1))

        let back = try readBackFiles([library.path(1)])
        #expect(back.damaged == 0 && back.labels.count == 1)
        #expect(blocksAreBackToBack(back, fileSize: library.size(1)))
        #expect(matches(back, first) && matches(back, second))
        let numbers = back.blocks.filter { $0.0.sessionID == 62 }.map(\.0.blockNumber)
        #expect(numbers.first == lastBefore + 1)
        #expect(numbers == (0..<UInt32(numbers.count)).map { lastBefore + 1 + $0 })

        let bls = try RealBaculaFileDevice(directory: library.directory, scratch: scratch).jobs([library.name(1)])
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("JobId=61") && bls.output.contains("JobId=62"), "\(bls.output)")
        #expect(bls.output.components(separatedBy: "End Job Session Record").count == 3, "\(bls.output)")
        #expect(bls.output.components(separatedBy: "Status=T").count == 3, "\(bls.output)")
    }

    /// The file drive alone: appends at the end, a write after rewind relabels (truncates), no filemarks, position
    /// is the byte offset, and a full disk would be end of medium.
    @Test func fileVolumeDriveFollowsTheTapeContract() throws {
        let scratch = Scratch("file-drive")
        defer { scratch.cleanup() }
        let path = scratch.path("VOL")
        func block(_ number: UInt32, _ size: Int) throws -> [UInt8] {
            var out: [UInt8] = []
            var w = BlockWriter(blockSize: size, padding: .none)
            w.nextBlockNumber = number
            w.setSession(id: 1, time: 2) { _ in }
            try w.append(fileIndex: 1, stream: 2, data: [UInt8](repeating: 7, count: size - 36)) { out = Array($0) }
            w.flush { out = Array($0) }
            return out
        }
        let drive = try FileVolumeDrive(path: path)
        for (n, size) in [(0, 300), (1, 5000), (2, 777)] {
            try block(UInt32(n), size).withUnsafeBytes { try drive.writeBlock($0) }
        }
        try drive.writeFilemarks(1)
        #expect(try drive.position() == TapePosition(file: 0, block: 6077))
        #expect(try drive.lastBlock()?.number == 2 && drive.lastBlock()?.offset == 5300)
        try drive.close()

        let again = try FileVolumeDrive(path: path)
        #expect(try again.position().block == 6077)  // opened at its end, ready to append
        try block(3, 100).withUnsafeBytes { try again.writeBlock($0) }
        try again.rewind()
        var sizes: [Int] = []
        while let b = try again.readBlock(maximumSize: 1 << 20) { sizes.append(b.count) }
        #expect(sizes == [300, 5000, 777, 100])
        try again.rewind()
        try block(0, 200).withUnsafeBytes { try again.writeBlock($0) }  // relabel: the volume is this block
        #expect(again.size == 200)
        try again.close()
    }
}
