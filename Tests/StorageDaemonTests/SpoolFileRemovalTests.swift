import BaculaVolume
import Foundation
import StorageDaemon
import Synchronization
import Testing
import TapeDevices

/// Spool file removal that takes as long as the test says: each `remove` waits until the test opens the gate.
final class GatedRemoval: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let started = Mutex(0)

    /// Removals begun (and waiting at the gate, until it opens).
    var begun: Int { started.withLock { $0 } }

    /// Lets `count` removals through.
    func open(_ count: Int) { for _ in 0..<count { gate.signal() } }

    var io: SpoolIO {
        var io = SpoolIO.system
        let system = SpoolIO.system
        io.remove = { [self] fd, path in
            started.withLock { $0 += 1 }
            gate.wait()
            system.remove(fd, path)
        }
        return io
    }
}

/// A finished job's spool file is removed off the despooler thread: while it is being removed (a large file on a
/// filesystem that trims freed blocks took 150–260 ms here), the next job's blocks still go to the drive; the job
/// itself ends only once its file is gone.
@Suite struct SpoolFileRemovalTests {
    @Test func theNextJobDespoolsWhileTheFirstJobsSpoolFileIsRemoved() async throws {
        let scratch = Scratch("spool-removal")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let removal = GatedRemoval()
        let spoolDirectory = scratch.directory("spool")
        let path = try DeviceDataPath(
            spool: SpoolConfiguration(
                directory: spoolDirectory, storageName: "capstan-sd", deviceName: "Drive0",
                maximumSpoolSize: 64 << 20, maximumJobSpoolSize: 32 << 20, io: removal.io),
            firstVolume: try library.mount(1), owner: library.owner)
        let first = JobPlan(jobID: 61, files: 2, chunks: 16)  // 2 MiB
        let second = JobPlan(jobID: 62, files: 2, chunks: 16)

        let firstEnded = Mutex(false)
        let firstJob = Task {
            let outcome = try await runJob(path, first)
            firstEnded.withLock { $0 = true }
            return outcome
        }
        // the first job's blocks are all on the drive and its spool file's removal has begun (and waits)
        #expect(await eventually { removal.begun == 1 })
        let before = path.statistics.blocks
        let secondJob = Task { try await runJob(path, second) }
        // the despooler goes on with the second job: its blocks reach the drive while the removal still waits
        #expect(await eventually { path.statistics.blocks >= before + 3 && removal.begun == 1 })
        #expect(!firstEnded.withLock { $0 }, "the first job ended before its spool file was removed")

        removal.open(2)
        let outcomes = [try await firstJob.value, try await secondJob.value]
        #expect(removal.begun == 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: spoolDirectory).filter { $0.hasSuffix(".spool") }
        #expect(left.isEmpty, "spool files left after both jobs ended: \(left)")
        _ = try await path.close()
        try library.closeAll()
        for outcome in outcomes { #expect(outcome.endOfSession.totals?.jobStatus == UInt32(Character("T").asciiValue ?? 0)) }
        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0)
        #expect(matches(back, first) && matches(back, second))
    }
}
