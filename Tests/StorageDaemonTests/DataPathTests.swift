import BaculaVolume
import Foundation
import StorageDaemon
import Testing
import TapeDevices

@Suite(.serialized) struct DataPathTests {
    static let mib: Int64 = 1 << 20

    func spoolConfiguration(
        _ scratch: Scratch, total: Int64, job: Int64, observer: EventLog? = nil, io: SpoolIO = .system
    ) -> SpoolConfiguration {
        var observe: (@Sendable (SpoolEvent) -> Void)?
        if let observer { observe = { observer.record($0) } }
        return SpoolConfiguration(
            directory: scratch.directory("spool"), storageName: "capstan-sd", deviceName: "Drive0",
            maximumSpoolSize: total, maximumJobSpoolSize: job, io: io, observer: observe)
    }

    /// A data path onto tape 1 of `library` whose drive stands still until `clock.runFree()` (a queue of two
    /// blocks), the spool's events going to `log`.
    func heldDrivePath(
        _ scratch: Scratch, _ library: TapeLibrary, log: EventLog, clock: ManualDriveClock, total: Int64, job: Int64,
        turnBlocks: Int = 64
    ) throws -> DeviceDataPath {
        try DeviceDataPath(
            spool: SpoolConfiguration(
                directory: scratch.directory("spool"), storageName: "capstan-sd", deviceName: "Drive0",
                maximumSpoolSize: total, maximumJobSpoolSize: job, turnBlocks: turnBlocks, observer: { log.record($0) }),
            drive: DriveWriter.Configuration(queueBlocks: 2),
            firstVolume: try library.mount(1, ratedSpeed: VirtualTape.RatedSpeed(bytesPerSecond: 1 << 30, clock: clock)),
            clock: clock, owner: library.owner)
    }

    /// Waits until every job of `plans` has waited for spool space (its ring full while the drive stands still),
    /// then lets the drive go; false when they did not all wait.
    func releaseOnceAllWait(_ plans: [JobPlan], _ log: EventLog, _ clock: ManualDriveClock) async -> Bool {
        let sessions = Set(plans.map { SessionKey(id: $0.jobID, time: sessionTime) })
        let allWaiting = await eventually {
            Set(log.all.compactMap { if case .waitedForSpace(let s) = $0 { s } else { nil } }) == sessions
        }
        clock.runFree()
        return allWaiting
    }

    /// 50 MB through a 4 MB spool into a virtual tape; BaculaVolume's reader gets every record back, the real bls
    /// lists the job, and despooling of the job started before the job finished spooling.
    @Test func fiftyMegabytesThroughAFourMegabyteSpool() async throws {
        let scratch = Scratch("fifty")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let log = EventLog()
        let path = try DeviceDataPath(
            spool: spoolConfiguration(scratch, total: 4 * Self.mib, job: 4 * Self.mib, observer: log),
            firstVolume: try library.mount(1), owner: library.owner)
        let plan = JobPlan(jobID: 11, files: 25, chunks: 32)  // 25 × 32 × 64 KiB = 50 MiB
        let outcome = try await runJob(path, plan)
        let stats = try await path.close()
        try library.closeAll()

        let session = SessionKey(id: 11, time: sessionTime)
        #expect(stats.bytes > 50 * Self.mib)
        #expect(outcome.endOfSession.totals?.jobFiles == 25)
        #expect(outcome.endOfSession.totals?.jobBytes == plan.bytes)
        #expect(outcome.segments.count == 1)
        #expect(outcome.segments.first?.firstFileIndex == 1 && outcome.segments.first?.lastFileIndex == 25)
        #expect(outcome.segments.first?.start == .tape(file: 0, block: 1))

        // overlap, by event order: the first block went to the drive before the job's last block was spooled,
        // and the spool never held more than its 4 slots
        let events = log.all
        let firstDespool = try #require(events.firstIndex(of: .despooled(session, block: 0)))
        let lastSpooled = try #require(events.lastIndex { if case .spooled(session, _) = $0 { true } else { false } })
        let committed = try #require(events.firstIndex(of: .committed(session)))
        #expect(firstDespool < lastSpooled && firstDespool < committed)
        var inSpool = 0
        var most = 0
        for e in events {
            if case .spooled = e { inSpool += 1 }
            if case .despooled = e { inSpool -= 1 }
            most = max(most, inSpool)
        }
        #expect(most <= 4 && most >= 2)

        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0)
        #expect(matches(back, plan))
        #expect(back.label(.startOfSession, of: session).count == 1)
        let eos = try #require(back.label(.endOfSession, of: session).first)
        let decoded = try SessionLabel(decoding: eos.data, isEnd: true)
        #expect(decoded.totals?.jobFiles == 25 && decoded.totals?.jobBytes == plan.bytes)
        // block numbers of the session are continuous after the label block (numbered 0 with the job's session)
        let numbers = back.blocks.filter { $0.0.sessionID == 11 }.map(\.0.blockNumber)
        #expect(numbers.count > 50 && numbers.first == 0)
        #expect(Array(numbers.dropFirst()) == Array(0..<UInt32(numbers.count - 1)))

        let bls = try blsJobs(image: library.path(1), volume: "TAPE1", scratch: scratch)
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("Begin Job Session Record"), "\(bls.output)")
        #expect(bls.output.contains("JobId=11"), "\(bls.output)")
        #expect(bls.output.contains("Files=25"), "\(bls.output)")
        #expect(bls.output.contains("Status=T"), "\(bls.output)")
        #expect(!bls.output.lowercased().contains("error:"), "\(bls.output)")
        #expect(!bls.output.lowercased().contains("checksum"), "\(bls.output)")
    }

    /// Three jobs spool at once; their blocks interleave on the tape (fair turns of two blocks), never mix inside a
    /// block, and each job reads back completely. The drive is held still (manual clock) until all three producers
    /// have filled their spools and wait for space, so the interleaving does not depend on thread scheduling.
    @Test func threeConcurrentJobs() async throws {
        let scratch = Scratch("three")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let log = EventLog()
        let clock = ManualDriveClock()
        let path = try heldDrivePath(scratch, library, log: log, clock: clock, total: 12 * Self.mib, job: 4 * Self.mib, turnBlocks: 2)
        let plans = [21, 22, 23].map { JobPlan(jobID: UInt32($0), files: 6, chunks: 20) }
        let producers = Task {
            try await withThrowingTaskGroup(of: JobOutcome.self) { group in
                for plan in plans { group.addTask { try await runJob(path, plan) } }
                var all: [JobOutcome] = []
                for try await o in group { all.append(o) }
                return all
            }
        }
        #expect(await releaseOnceAllWait(plans, log, clock))
        let outcomes = try await producers.value
        _ = try await path.close()
        try library.closeAll()
        #expect(outcomes.count == 3)

        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0)
        for plan in plans { #expect(matches(back, plan), "job \(plan.jobID)") }
        // interleaved by block: when the drive starts, every spool is full, so the first turns (two blocks each,
        // while the others wait) must rotate through all three jobs and back
        let order = back.blocks.map(\.0.sessionID).filter { $0 != 0 }
        let switches = zip(order, order.dropFirst()).filter { $0 != $1 }.count
        #expect(switches >= 3)
        #expect(Set(order.prefix(8)).count == 3)
        // several jobs were spooling while another one held the despool turn
        var turn: SessionKey?
        var spooledByOthersDuringTurn = Set<SessionKey>()
        for e in log.all {
            if case .turn(let s) = e { turn = s }
            if case .spooled(let s, _) = e, let t = turn, s != t { spooledByOthersDuringTurn.insert(s) }
        }
        #expect(spooledByOthersDuringTurn.count >= 2)

        let bls = try blsJobs(image: library.path(1), volume: "TAPE1", scratch: scratch)
        #expect(bls.status == 0, "\(bls.output)")
        for plan in plans { #expect(bls.output.contains("JobId=\(plan.jobID)"), "\(bls.output)") }
        #expect(bls.output.components(separatedBy: "End Job Session Record").count == 4, "\(bls.output)")
    }

    /// A job's own Spool Size (the Director's `SpoolSize=`) bounds its spool ring in place of the device's Maximum
    /// Job Spool Size, as in bacula-sd; a job without one keeps the device's. The drive is held still until both
    /// producers wait for space, so each ring is full when counted.
    @Test func aJobsSpoolSizeReplacesTheDevicesMaximumJobSpoolSize() async throws {
        let scratch = Scratch("spool-size")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let log = EventLog()
        let clock = ManualDriveClock()
        let path = try heldDrivePath(scratch, library, log: log, clock: clock, total: 64 * Self.mib, job: 8 * Self.mib)
        let bounded = JobPlan(jobID: 31, files: 4, chunks: 64)  // 16 MiB each
        let unbounded = JobPlan(jobID: 32, files: 4, chunks: 64)
        let producers = Task {
            async let a = runJob(path, bounded, spoolSize: 3 << 20)
            async let b = runJob(path, unbounded)
            return try await [a, b]
        }
        #expect(await releaseOnceAllWait([bounded, unbounded], log, clock))
        let outcomes = try await producers.value
        _ = try await path.close()
        try library.closeAll()
        #expect(outcomes.count == 2)

        // Counted while the drive is held (until both jobs have waited for space): afterwards a job's commit may
        // fill the slot it reserves for its last block while the despooler lags behind (a loaded machine), so a
        // ring may then be full to its last slot.
        var inSpool: [UInt32: Int] = [:]
        var most: [UInt32: Int] = [:]
        var waited: Set<UInt32> = []
        for event in log.all {
            switch event {
            case .spooled(let s, _): inSpool[s.id, default: 0] += 1
            case .despooled(let s, _): inSpool[s.id, default: 0] -= 1
            case .waitedForSpace(let s): waited.insert(s.id)
            default: continue
            }
            for (id, count) in inSpool { most[id] = max(most[id] ?? 0, count) }
            if waited == [31, 32] { break }
        }
        // A full ring holds its slots less the one reserved for the block being packed.
        #expect(most[31] == 3 - 1, "the job with Spool Size 3 MiB held \(most[31] ?? 0) spooled blocks")
        #expect(most[32] == 8 - 1, "the job without one held \(most[32] ?? 0) spooled blocks (device: 8 MiB)")

        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0)
        #expect(matches(back, bounded) && matches(back, unbounded))
    }

    /// End of medium at a small capacity: the job continues on a second volume (VOL_LABEL, the block that did not
    /// fit, then the rest); reading both volumes restores every record, including the one split at the boundary.
    /// The end-of-medium re-read reads on to the filemark, so it also verifies on a drive whose backward spacing
    /// overshoots by a record, as tgt's does (`BackspaceOvershootingFakeDrive`).
    @Test(arguments: [false, true])
    func endOfMediumContinuesOnTheNextVolume(overshootingBackspace: Bool) async throws {
        let scratch = Scratch("eom-\(overshootingBackspace)")
        defer { scratch.cleanup() }
        let library = TapeLibrary(
            scratch: scratch, capacity: 6 * Self.mib + 300_000, overshootingBackspace: overshootingBackspace)
        let path = try DeviceDataPath(
            spool: spoolConfiguration(scratch, total: 4 * Self.mib, job: 4 * Self.mib),
            drive: DriveWriter.Configuration(maximumFileSize: 3_000_000),
            firstVolume: try library.mount(1), owner: library.owner)
        let plan = JobPlan(jobID: 31, files: 5, chunks: 30)  // about 9.4 MiB
        let outcome = try await runJob(path, plan)
        let stats = try await path.close()
        try library.closeAll()

        #expect(library.mounted == 2)
        #expect(stats.volumes == 2)
        let report = try #require(library.endOfMediumReports.first)
        #expect(report.volumeName == "TAPE1" && report.jobID == 31)
        #expect(report.rereadVerified == true)
        let volumes = Set(outcome.segments.map(\.volumeName))
        #expect(volumes == ["TAPE1", "TAPE2"])
        #expect(outcome.segments.last?.volumeIndex == 2)
        #expect(library.segments.count == outcome.segments.count)

        // each volume alone: the first holds SOS and no EOS, the second starts with a continuation, ends with EOS
        let first = try readBack([library.path(1)])
        let second = try readBack([library.path(2)])
        let session = SessionKey(id: 31, time: sessionTime)
        #expect(first.label(.startOfSession, of: session).count == 1 && first.label(.endOfSession, of: session).isEmpty)
        #expect(second.label(.startOfSession, of: session).isEmpty && second.label(.endOfSession, of: session).count == 1)
        #expect(second.records[session]?.first?.isContinuation == true)
        let label2 = try #require(second.labels.first)
        #expect(label2.fileIndex == LabelType.volumeLabel.rawValue && label2.stream == 2)
        #expect(try VolumeLabel(decoding: label2.data).volumeName == "TAPE2")
        // block numbers continue across the volumes
        let n1 = first.blocks.filter { $0.0.sessionID == 31 && $0.0.blockNumber > 0 }.map(\.0.blockNumber)
        let n2 = second.blocks.filter { $0.0.sessionID == 31 }.map(\.0.blockNumber).filter { $0 > 0 }
        #expect(n2.first == (n1.last ?? 0) + 1)

        // both volumes as one set: every record back, the split one joined
        let both = try readBack([library.path(1), library.path(2)])
        #expect(both.damaged == 0)
        #expect(matches(both, plan))
        #expect(both.continuationLabels.first?.volumeName == "TAPE2")

        let bls = try blsJobs(image: library.path(2), volume: "TAPE2", scratch: scratch)
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("End Job Session Record"), "\(bls.output)")
        #expect(bls.output.contains("Files=5"), "\(bls.output)")
    }

    /// A second data path appends to a volume already written (status Append): end of data, no label, the new
    /// job in a new tape file; both jobs read back and bls lists both.
    @Test func appendsToAWrittenVolume() async throws {
        let scratch = Scratch("append")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let first = JobPlan(jobID: 61, files: 2, chunks: 20)
        let second = JobPlan(jobID: 62, files: 3, chunks: 10)
        do {
            let path = try DeviceDataPath(
                spool: spoolConfiguration(scratch, total: 4 * Self.mib, job: 4 * Self.mib),
                firstVolume: try library.mount(1), owner: library.owner)
            _ = try await runJob(path, first)
            _ = try await path.close()
            try library.closeAll()
        }
        let tape = try VirtualTape(path: library.path(1), writable: true)
        let path = try DeviceDataPath(
            spool: spoolConfiguration(scratch, total: 4 * Self.mib, job: 4 * Self.mib),
            firstVolume: VolumeMount(drive: tape, label: volumeLabel("TAPE1"), medium: .append), owner: library.owner)
        let outcome = try await runJob(path, second)
        _ = try await path.close()
        try tape.close()
        #expect(outcome.segments.first?.start == .tape(file: 1, block: 0))

        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0 && back.labels.count == 1)
        #expect(matches(back, first) && matches(back, second))
        let bls = try blsJobs(image: library.path(1), volume: "TAPE1", scratch: scratch)
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("JobId=61") && bls.output.contains("JobId=62"), "\(bls.output)")
        #expect(bls.output.components(separatedBy: "End Job Session Record").count == 3, "\(bls.output)")
    }
}
