import BaculaVolume
import Foundation
import StorageDaemon
import Synchronization
import Testing
import TapeDevices

/// The system disk calls with injected ENOSPC: after `goodWrites` successful block writes, the next `failures`
/// writes fail (`Int.max`: the disk stays full).
final class FaultyDisk: Sendable {
    private struct State {
        var writes = 0
        var failed = 0
        var truncates = 0
    }

    let goodWrites: Int
    let failures: Int
    private let state = Mutex(State())

    init(goodWrites: Int, failures: Int) {
        self.goodWrites = goodWrites
        self.failures = failures
    }

    var failed: Int { state.withLock { $0.failed } }
    var truncates: Int { state.withLock { $0.truncates } }

    var io: SpoolIO {
        var io = SpoolIO.system
        let system = SpoolIO.system
        io.write = { [self] fd, bytes, offset, path throws(SystemError) in
            let fail = state.withLock { s -> Bool in
                if s.writes >= goodWrites && s.failed < failures {
                    s.failed += 1
                    return true
                }
                s.writes += 1
                return false
            }
            if fail { throw SystemError(call: "pwrite", path: path, errno: ENOSPC) }
            try system.write(fd, bytes, offset, path)
        }
        io.truncate = { [self] fd, length, path throws(SystemError) in
            state.withLock { $0.truncates += 1 }
            try system.truncate(fd, length, path)
        }
        return io
    }
}

@Suite(.serialized) struct SpoolFailureTests {
    static let mib: Int64 = 1 << 20

    func dataPath(_ scratch: Scratch, _ library: TapeLibrary, directory: String, io: SpoolIO = .system) throws
        -> DeviceDataPath
    {
        try DeviceDataPath(
            spool: SpoolConfiguration(
                directory: directory, storageName: "capstan-sd", deviceName: "Drive0", maximumSpoolSize: 4 * Self.mib,
                maximumJobSpoolSize: 4 * Self.mib, io: io),
            firstVolume: try library.mount(1), owner: library.owner)
    }

    /// A spool directory that does not exist, sits under a regular file, or is in a filesystem that takes no files:
    /// opening the job fails with a typed error naming the job and the spool file; the device stays usable.
    @Test(arguments: ["missing", "under-a-file", "proc"])
    func unusableSpoolDirectory(kind: String) async throws {
        let scratch = Scratch("nodir-\(kind)")
        defer { scratch.cleanup() }
        let directory: String
        switch kind {
        case "missing": directory = scratch.path("no/such/dir")
        case "under-a-file":
            try Data("x".utf8).write(to: URL(fileURLWithPath: scratch.path("plain")))
            directory = scratch.path("plain")
        default: directory = "/proc/capstan-spool"
        }
        let library = TapeLibrary(scratch: scratch)
        let path = try dataPath(scratch, library, directory: directory)
        let job = deviceJob(51)
        do {
            _ = try await path.openJob(job)
            Issue.record("opening a job in \(directory) succeeded")
        } catch let error as SpoolError {
            #expect(error.kind == .cannotCreate)
            #expect(error.job == job.name)
            #expect(error.path.hasPrefix(directory + "/"))
            #expect(error.underlying != nil)
            #expect(error.description.contains(job.name) && error.description.contains(directory))
        }
        let stats = try await path.close()
        try library.closeAll()
        #expect(stats.blocks == 0)
    }

    /// The spool disk is full once: the job despools what it has, the spool file is truncated, the write is retried
    /// and the job completes with every record on tape.
    @Test func fullDiskOnceDespoolsTruncatesAndRetries() async throws {
        let scratch = Scratch("full-once")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let disk = FaultyDisk(goodWrites: 5, failures: 1)
        let path = try dataPath(scratch, library, directory: scratch.directory("spool"), io: disk.io)
        let plan = JobPlan(jobID: 52, files: 4, chunks: 40)  // 10 MiB
        let outcome = try await runJob(path, plan)
        _ = try await path.close()
        try library.closeAll()
        #expect(disk.failed == 1)
        #expect(disk.truncates >= 1)
        #expect(outcome.endOfSession.totals?.jobStatus == UInt32(Character("T").asciiValue ?? 0))
        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0)
        #expect(matches(back, plan))
    }

    /// The spool disk stays full: the append fails with a typed error naming the job and its spool file, the job
    /// ends with status E, and every record acknowledged before the failure is on tape, in order.
    @Test func fullDiskFailsTheJobWithoutLosingAcknowledgedRecords() async throws {
        let scratch = Scratch("full")
        defer { scratch.cleanup() }
        let library = TapeLibrary(scratch: scratch)
        let disk = FaultyDisk(goodWrites: 6, failures: Int.max)
        let spoolDirectory = scratch.directory("spool")
        let path = try dataPath(scratch, library, directory: spoolDirectory, io: disk.io)
        let plan = JobPlan(jobID: 53, files: 4, chunks: 40)
        let job = deviceJob(53)
        let spooler = try await path.openJob(job)
        var acknowledged = 0
        var failure: SpoolError?
        for n in 0..<plan.count {
            let item = plan.item(n)
            do {
                try await spooler.append(fileIndex: item.fileIndex, stream: item.stream, data: item.data)
                acknowledged += 1
            } catch let e as SpoolError {
                failure = e
                break
            }
        }
        let error = try #require(failure)
        #expect(error.kind == .writeFailed)
        #expect(error.job == job.name)
        #expect(error.path == spooler.path && error.path.hasPrefix(spoolDirectory))
        #expect(error.underlying?.kind == .noSpace)
        #expect(error.description.contains(job.name) && error.description.contains(spooler.path))
        #expect(acknowledged > 50 && acknowledged < plan.count)
        // later calls fail the same way; commit writes the EOS with status E and reports the failure
        await #expect(throws: SpoolError.self) { try await spooler.append(fileIndex: 99, stream: 2, data: [1]) }
        await #expect(throws: SpoolError.self) { _ = try await spooler.commit() }
        _ = try await path.close()
        try library.closeAll()

        let back = try readBack([library.path(1)])
        #expect(back.damaged == 0)
        let got = back.data(of: job.session)
        #expect(got.count == acknowledged || got.count == acknowledged + 1)
        #expect(zip(got, (0..<acknowledged).map(plan.item)).allSatisfy { $0 == $1 })
        #expect(got.prefix(acknowledged).count == acknowledged)
        let eos = try #require(back.label(.endOfSession, of: job.session).first)
        #expect(try SessionLabel(decoding: eos.data, isEnd: true).totals?.jobStatus == UInt32(Character("E").asciiValue ?? 0))

        let bls = try blsJobs(image: library.path(1), volume: "TAPE1", scratch: scratch)
        #expect(bls.status == 0, "\(bls.output)")
        #expect(bls.output.contains("JobId=53") && bls.output.contains("Status=E"), "\(bls.output)")
    }
}
