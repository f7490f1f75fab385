import BaculaVolume
import Foundation
import StorageDaemon
import Synchronization
import Testing
import TapeDevices

/// The spool's disk calls, counted: blocks written to and read from spool files.
final class CountingSpoolIO: Sendable {
    private let counts = Mutex((writes: 0, reads: 0))

    var writes: Int { counts.withLock { $0.writes } }
    var reads: Int { counts.withLock { $0.reads } }

    var io: SpoolIO {
        var io = SpoolIO.system
        let system = SpoolIO.system
        io.write = { [self] fd, bytes, offset, path throws(SystemError) in
            counts.withLock { $0.writes += 1 }
            try system.write(fd, bytes, offset, path)
        }
        io.read = { [self] fd, buffer, offset, path throws(SystemError) in
            counts.withLock { $0.reads += 1 }
            return try system.read(fd, buffer, offset, path)
        }
        return io
    }
}

/// Spool memory (`Spool Memory Size`): spooled blocks wait in memory while the device has some free, and go to the
/// spool file once it is all held; on a virtual tape, with real spool files, each job reads back record for record.
@Suite struct SpoolMemoryTests {
    /// Blocks of a job that have been spooled, from the spool's events.
    final class SpooledBlocks: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func observe(_ event: SpoolEvent) { if case .spooled = event { count.withLock { $0 += 1 } } }
    }

    /// A data path on a virtual tape whose spool holds `memoryBlocks` blocks in memory, its disk calls counted;
    /// `despoolStartBlocks` as in the configuration.
    struct Setup {
        let scratch: Scratch
        let library: TapeLibrary
        let disk = CountingSpoolIO()
        let spooled = SpooledBlocks()
        let path: DeviceDataPath

        init(_ name: String, memoryBlocks: Int, despoolStartBlocks: Int?) throws {
            scratch = Scratch(name)
            library = TapeLibrary(scratch: scratch)
            let spooled = spooled
            path = try DeviceDataPath(
                spool: SpoolConfiguration(
                    directory: scratch.directory("spool"), storageName: "capstan-sd", deviceName: "Drive0",
                    maximumSpoolSize: 64 << 20, maximumJobSpoolSize: 32 << 20, despoolStartBlocks: despoolStartBlocks,
                    memoryBlocks: memoryBlocks, io: disk.io, observer: { spooled.observe($0) }),
                firstVolume: try library.mount(1), owner: library.owner)
        }

        /// Closes the data path and the tape and reads the tape back.
        func finish() async throws -> ReadBack {
            _ = try await path.close()
            try library.closeAll()
            return try readBack([library.path(1)])
        }
    }

    /// A job whose blocks all fit in spool memory: the spool file is never written or read, and the job reads back.
    @Test func aJobThatFitsInSpoolMemoryNeverTouchesTheSpoolFile() async throws {
        let setup = try Setup("spool-memory-fits", memoryBlocks: 16, despoolStartBlocks: nil)
        defer { setup.scratch.cleanup() }
        let (disk, spooled) = (setup.disk, setup.spooled)
        let plan = JobPlan(jobID: 71, files: 4, chunks: 16)  // 4 MiB and a little: 5 blocks of 1 MiB
        let outcome = try await runJob(setup.path, plan)
        let back = try await setup.finish()

        #expect(spooled.value >= 5, "blocks spooled: \(spooled.value)")
        #expect(disk.writes == 0 && disk.reads == 0, "spool file writes \(disk.writes), reads \(disk.reads)")
        #expect(outcome.endOfSession.totals?.jobStatus == UInt32(Character("T").asciiValue ?? 0))
        #expect(back.damaged == 0)
        #expect(matches(back, plan))
    }

    /// The despooler holds a job back until it commits (a drive that streams, a job smaller than half its spool):
    /// the first blocks fill the spool memory (2 blocks), every later one goes to the spool file, and the drive gets
    /// them in order, the first two from memory and the rest read back from the file; while it waits, the data path
    /// reports 2 MiB of spool memory held (status, metrics), none once it ended. A second job after it finds the
    /// memory free again. Both read back record for record.
    @Test func blocksBeyondSpoolMemoryGoToTheSpoolFileInOrder() async throws {
        let setup = try Setup("spool-memory-full", memoryBlocks: 2, despoolStartBlocks: 1000)
        defer { setup.scratch.cleanup() }
        let (disk, spooled, path) = (setup.disk, setup.spooled, setup.path)
        let first = JobPlan(jobID: 72, files: 8, chunks: 16)  // 8 MiB and a little: 9 blocks of 1 MiB
        let second = JobPlan(jobID: 73, files: 4, chunks: 16)  // 5 blocks

        _ = try await runJob(path, first) { n in
            // the last record: the job's first blocks wait in memory (the despooler holds them until commit)
            if n == first.count - 1 { #expect(path.spoolMemoryBytes == 2 << 20, "spool memory held: \(path.spoolMemoryBytes)") }
        }
        #expect(path.spoolMemoryBytes == 0, "spool memory still held after the job's end: \(path.spoolMemoryBytes)")
        let firstBlocks = spooled.value
        #expect(firstBlocks >= 9, "blocks spooled: \(firstBlocks)")
        #expect(disk.writes == firstBlocks - 2, "spool file writes \(disk.writes) of \(firstBlocks) blocks")
        #expect(disk.reads == firstBlocks - 2, "spool file reads \(disk.reads) of \(firstBlocks) blocks")

        _ = try await runJob(path, second)
        let secondBlocks = spooled.value - firstBlocks
        #expect(disk.writes == firstBlocks - 2 + secondBlocks - 2, "the second job did not get the memory back")
        let back = try await setup.finish()
        #expect(back.damaged == 0)
        #expect(matches(back, first) && matches(back, second))
        let left = try FileManager.default.contentsOfDirectory(atPath: setup.scratch.path("spool")).filter { $0.hasSuffix(".spool") }
        #expect(left.isEmpty, "spool files left: \(left)")
    }

    /// Two jobs spool at once and despool as they come (a File device's policy), with spool memory smaller than
    /// what they send: blocks are in memory or in the file, whichever was free when they came, and both jobs read
    /// back record for record, whatever the interleaving.
    @Test func concurrentJobsShareSpoolMemoryAndReadBackIntact() async throws {
        let setup = try Setup("spool-memory-shared", memoryBlocks: 3, despoolStartBlocks: 1)
        defer { setup.scratch.cleanup() }
        let (disk, spooled, path) = (setup.disk, setup.spooled, setup.path)
        let plans = [JobPlan(jobID: 74, files: 6, chunks: 16), JobPlan(jobID: 75, files: 6, chunks: 16)]
        try await withThrowingTaskGroup(of: JobOutcome.self) { group in
            for plan in plans { group.addTask { try await runJob(path, plan) } }
            for try await outcome in group {
                #expect(outcome.endOfSession.totals?.jobStatus == UInt32(Character("T").asciiValue ?? 0))
            }
        }
        let back = try await setup.finish()
        #expect(disk.writes == disk.reads, "blocks written to the spool file \(disk.writes), read back \(disk.reads)")
        #expect(disk.writes < spooled.value, "no block passed through spool memory")
        #expect(back.damaged == 0)
        #expect(plans.allSatisfy { matches(back, $0) })
    }
}
