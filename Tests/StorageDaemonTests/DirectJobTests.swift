import CapstanTestSupport
import BaculaVolume
import Foundation
import StorageDaemon
import Synchronization
import Testing
import TapeDevices

/// Direct (unspooled) jobs: blocks go straight into the drive writer's bounded queue, next to spooled jobs.
@Suite(.serialized) struct DirectJobTests {
    static let mib: Int64 = 1 << 20

    /// Four direct jobs and one spooled job at once on one file volume through a 3-buffer queue: blocks of the
    /// jobs interleave, each block holds one job, every job reads back completely (by session) with its SOS first
    /// and its EOS last, and each job's JobMedia byte ranges cover all its blocks. The drive is slow (the writer is
    /// the bottleneck) and the direct jobs start while the spooled job's despool turn is running, a turn no other
    /// spooled job bounds: the drive holds its second write until the despooler and all four direct jobs wait for
    /// a pool buffer, and then each direct job gets blocks onto the volume before the spooled job's last, because
    /// buffers go to producers in turn. The real bls lists all five with Status=T.
    @Test func fourDirectJobsAndOneSpooledJobShareAFileVolume() async throws {
        let scratch = Scratch("direct-five")
        defer { scratch.cleanup() }
        let library = FileVolumeLibrary(scratch: scratch)
        let log = EventLog()
        // the label passes; the spooled job's first block is held until the direct jobs queue up behind it
        let (volume, gate) = try library.gatedMount(1, microseconds: 4000, passing: 1)
        let path = try DeviceDataPath(
            spool: SpoolConfiguration(
                directory: scratch.directory("spool"), storageName: "capstan-sd", deviceName: "FileDev",
                maximumSpoolSize: 4 * Self.mib, maximumJobSpoolSize: 4 * Self.mib, turnBlocks: 1_000_000,
                observer: { log.record($0) }),
            drive: .fileVolumes(queueBlocks: 3), firstVolume: volume, owner: library.owner)
        let spooled = JobPlan(jobID: 75, files: 10, chunks: 24)  // about 15 MiB
        let directs = (71...74).map { JobPlan(jobID: UInt32($0), files: 3, chunks: 16) }  // about 3 MiB each
        let spooledTask = Task { try await runJob(path, spooled) }
        let spooledSession = SessionKey(id: 75, time: sessionTime)
        #expect(await eventually { log.all.contains(.despooled(spooledSession, block: 0)) })
        let directOutcomes = try await withThrowingTaskGroup(of: JobOutcome.self) { group in
            for plan in directs { group.addTask { try await runDirectJob(path, plan) } }
            // the despooler and the four direct jobs, each waiting for a buffer (a failed wait still opens the
            // gate, so the jobs end and the order checks below report it)
            #expect(await eventually { path.statistics.producersWaitingForBuffers == 5 })
            gate.open()
            var all: [JobOutcome] = []
            for try await o in group { all.append(o) }
            return all
        }
        let spooledOutcome = try await spooledTask.value
        let stats = try await path.close()
        try library.closeAll()
        #expect(stats.filemarks == 0)

        let back = try readBackFiles([library.path(1)])
        #expect(back.damaged == 0)
        #expect(blocksAreBackToBack(back, fileSize: library.size(1)))
        let plans = directs + [spooled]
        for plan in plans {
            let session = SessionKey(id: plan.jobID, time: sessionTime)
            #expect(matches(back, plan), "job \(plan.jobID)")
            let records = back.records[session] ?? []
            #expect(records.first?.fileIndex == LabelType.startOfSession.rawValue, "job \(plan.jobID)")
            #expect(records.last?.fileIndex == LabelType.endOfSession.rawValue, "job \(plan.jobID)")
            #expect(records.filter { $0.fileIndex < 0 }.count == 2, "job \(plan.jobID)")
            // the job's blocks are numbered continuously
            let numbers = back.blocks.filter { $0.0.sessionID == plan.jobID }.map(\.0.blockNumber)
            #expect(numbers == (0..<UInt32(numbers.count)).map { (numbers.first ?? 0) + $0 }, "job \(plan.jobID)")
        }
        // interleaved by block
        let order = back.blocks.dropFirst().map(\.0.sessionID)
        let switches = zip(order, order.dropFirst()).filter { $0 != $1 }.count
        #expect(switches >= 8)
        // the direct jobs were not held up behind the spooled job's (unbounded) despool turn: each got blocks onto the
        // volume while the spooled job was still despooling
        let firstIndex = { (id: UInt32) in order.firstIndex(of: id) ?? Int.max }
        let lastIndex = { (id: UInt32) in order.lastIndex(of: id) ?? Int.max }
        for plan in directs { #expect(firstIndex(plan.jobID) < lastIndex(75), "job \(plan.jobID)") }

        // JobMedia: each job's segments cover every one of its blocks, from its SOS block to its EOS block's last byte
        let outcomes = directOutcomes + [spooledOutcome]
        #expect(Set(outcomes.map(\.session.id)) == Set(plans.map(\.jobID)))
        for outcome in outcomes {
            let mine = back.blocks.dropFirst().filter { $0.0.sessionID == outcome.session.id }  // not the label
            #expect(outcome.blocks == mine.count)
            #expect(outcome.segments.count == 1)
            let segment = try #require(outcome.segments.first)
            #expect(segment.start == mine.first?.1)
            let last = try #require(mine.last)
            #expect(segment.end == .offset(last.1.rawValue + UInt64(last.0.length) - 1))
            for (header, address) in mine {
                let covered = outcome.segments.contains {
                    $0.start <= address && address.rawValue + UInt64(header.length) - 1 <= $0.end.rawValue
                }
                #expect(covered, "job \(outcome.session.id) block at \(address)")
            }
        }
        #expect(library.allSegments.count == 5)

        let bls = try RealBaculaFileDevice(directory: library.directory, scratch: scratch).jobs([library.name(1)])
        #expect(bls.status == 0, "\(bls.output)")
        for plan in plans { #expect(bls.output.contains("JobId=\(plan.jobID)"), "\(bls.output)") }
        #expect(bls.output.components(separatedBy: "Status=T").count == 6, "\(bls.output)")
        #expect(!bls.output.lowercased().contains("error:"), "\(bls.output)")
    }

    static let mtime: Int64 = 1_704_164_645

    static func stat(inode: Int64, mode: Int64, size: Int64) -> EncodedStat {
        var s = EncodedStat()
        s.device = 2049
        s.inode = inode
        s.mode = mode
        s.linkCount = 1
        s.size = size
        s.blockSize = 4096
        s.blocks = (size + 511) / 512
        s.accessTime = mtime
        s.modificationTime = mtime
        s.changeTime = mtime
        s.dataStream = Int64(StreamType.fileData)
        return s
    }

    /// A client's backup of a few files: attribute records and 64 KiB data records, as a File daemon sends them.
    struct Backup {
        var directory: String
        var files: [(name: String, content: [UInt8])]

        func send(to job: JobSpooler) async throws {
            var index: Int32 = 0
            for (name, content) in files {
                index += 1
                let a = FileAttributes(
                    fileIndex: index, type: .regular, name: "\(directory)/\(name)",
                    stat: DirectJobTests.stat(inode: Int64(index) + 10, mode: 0o100644, size: Int64(content.count)))
                try await job.append(fileIndex: index, stream: StreamType.unixAttributes, data: a.encoded())
                for start in stride(from: 0, to: content.count, by: 65_536) {
                    let chunk = Array(content[start..<min(start + 65_536, content.count)])
                    try await job.append(fileIndex: index, stream: StreamType.fileData, data: chunk)
                }
            }
            index += 1
            let d = FileAttributes(
                fileIndex: index, type: .directoryEnd, name: "\(directory)/",
                stat: DirectJobTests.stat(inode: 10, mode: 0o40755, size: 4096))
            try await job.append(fileIndex: index, stream: StreamType.unixAttributes, data: d.encoded())
        }
    }

    /// A spooled and a direct job, running at the same time, back up real files into one file volume; for each
    /// job the real bextract, given a bootstrap made from the job's JobMedia segments (byte VolAddr ranges and its
    /// session, as the Director writes one), restores every file byte for byte. (Without a bootstrap bextract
    /// follows FileIndex across sessions, so interleaved jobs would be mixed: Bacula restores use bootstraps.)
    @Test func realBextractRestoresFilesFromAFileVolume() async throws {
        let scratch = Scratch("direct-bextract")
        defer { scratch.cleanup() }
        let library = FileVolumeLibrary(scratch: scratch)
        let path = try DeviceDataPath(
            spool: SpoolConfiguration(
                directory: scratch.directory("spool"), storageName: "capstan-sd", deviceName: "FileDev",
                maximumSpoolSize: 4 * Self.mib, maximumJobSpoolSize: 4 * Self.mib, despoolStartBlocks: 1),
            drive: .fileVolumes(queueBlocks: 3), firstVolume: try library.slowMount(1, microseconds: 4000),
            owner: library.owner)
        let spooledFiles = Backup(
            directory: "/capstan/spooled",
            files: [
                ("plain.bin", (0..<6_500_000).map { UInt8(truncatingIfNeeded: ($0 * 13 + 5) & 0xFF) }),
                ("text.txt", Array(String(repeating: "Capstan writes Bacula file volumes.\n", count: 2000).utf8)),
            ])
        let directFiles = Backup(
            directory: "/capstan/direct",
            files: [
                ("big.bin", (0..<5_300_000).map { UInt8(truncatingIfNeeded: ($0 / 3 + 17) & 0xFF) }),
                ("small.txt", Array("direct to the volume\n".utf8)),
            ])
        let spooledTask = Task {
            let job = try await path.openJob(deviceJob(91))
            try await spooledFiles.send(to: job)
            return try await job.commit()
        }
        let directTask = Task {
            let job = try await path.openDirectJob(deviceJob(92))
            try await directFiles.send(to: job)
            return try await job.commit()
        }
        let outcomes = [try await spooledTask.value, try await directTask.value]
        _ = try await path.close()
        try library.closeAll()
        #expect(outcomes.map { $0.endOfSession.totals?.jobFiles } == [3, 3])

        // both jobs are on the volume; how finely their blocks interleave depends on the machine's load, so each
        // bootstrap below must select by session and address either way
        let order = try readBackFiles([library.path(1)]).blocks.dropFirst().map(\.0.sessionID)
        #expect(Set(order) == [91, 92])
        let bacula = try RealBaculaFileDevice(directory: library.directory, scratch: scratch)
        for (backup, outcome) in zip([spooledFiles, directFiles], outcomes) {
            #expect(outcome.segments.count == 1)
            let bootstrap = outcome.segments.map { segment in
                """
                Volume="\(segment.volumeName)"
                MediaType="File"
                VolSessionId=\(segment.session.id)
                VolSessionTime=\(segment.session.time)
                VolAddr=\(segment.start.rawValue)-\(segment.end.rawValue)
                FileIndex=\(segment.firstFileIndex)-\(segment.lastFileIndex)

                """
            }.joined()
            let bsr = scratch.path("job\(outcome.session.id).bsr")
            try bootstrap.write(toFile: bsr, atomically: true, encoding: .utf8)
            let restore = scratch.directory("restore\(outcome.session.id)")
            let extract = try Command.runMerged(["/usr/sbin/bextract", "-b", bsr, "-c", bacula.config, "FileDev", restore])
            #expect(extract.status == 0, "\(extract.output)")
            #expect(extract.output.contains("3 files restored."), "\(extract.output)")
            for (name, content) in backup.files {
                let file = restore + backup.directory + "/" + name
                let restored = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))) ?? []
                let firstDifference = zip(restored, content).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                #expect(restored.count == content.count, "\(file)")
                #expect(firstDifference == nil, "\(file)")
            }
            var s = Glibc.stat()
            #expect(lstat(restore + backup.directory, &s) == 0 && Int64(s.st_mtim.tv_sec) == Self.mtime)
        }
    }

    /// A cancelled direct job ends with an EOS of status A after what it had sent; the data path closes and the
    /// other job on it is complete.
    @Test func cancelledDirectJobEndsWithStatusA() async throws {
        let scratch = Scratch("direct-cancel")
        defer { scratch.cleanup() }
        let library = FileVolumeLibrary(scratch: scratch)
        let path = try DeviceDataPath(
            spool: FileVolumeTests.spool(scratch), drive: .fileVolumes(queueBlocks: 2),
            firstVolume: try library.mount(1), owner: library.owner)
        let kept = JobPlan(jobID: 96, files: 2, chunks: 20)
        let dropped = JobPlan(jobID: 97, files: 3, chunks: 20)
        let job = try await path.openDirectJob(deviceJob(97))
        for n in 0..<(dropped.count / 2) {
            let item = dropped.item(n)
            try await job.append(fileIndex: item.fileIndex, stream: item.stream, data: item.data)
        }
        job.cancel()
        _ = try await runDirectJob(path, kept)
        _ = try await path.close()
        try library.closeAll()

        let back = try readBackFiles([library.path(1)])
        #expect(back.damaged == 0)
        #expect(matches(back, kept))
        let eos = try #require(back.label(.endOfSession, of: SessionKey(id: 97, time: sessionTime)).first)
        #expect(try SessionLabel(decoding: eos.data, isEnd: true).totals?.jobStatus == UInt32(UInt8(ascii: "A")))
        let got = back.data(of: SessionKey(id: 97, time: sessionTime))
        #expect(!got.isEmpty && got.count < dropped.count)
        #expect(got == (0..<got.count).map { dropped.item($0) })
    }
}
