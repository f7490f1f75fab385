import CapstanTestSupport
import Foundation
import Testing

/// A real bacula-dir and four real bacula-fd, each throttled by Bacula's `Maximum Bandwidth` (2 MB/s), back up at
/// once to capstan-sd's virtual tape library whose drive has a rated speed (`Maximum Tape Rate`), a speed-matching
/// floor (`Minimum Tape Rate`) and a small buffer (`Tape Buffer Size`): the issue's eight clients, scaled down to
/// four and to megabytes so that the test takes about a minute. The drive never runs dry while streaming:
/// spooled, with the clients' total below the drive's rate (the despooler sends bursts, never a trickle), and
/// unspooled, with the drive's rate below what the clients send together. The jobs restore byte-identically.
@Suite(.serialized) struct TapeRateTests {
    static let clients = 4

    /// Runs the clients' jobs at once and returns the system (jobs done, all `T`).
    func backUp(device: String, spool: Bool) async throws -> (BaculaSystem, [Int]) {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        options.pool = "Maximum Volume Jobs = 0"
        options.device = "Maximum Concurrent Jobs = \(Self.clients); " + device
        options.job = "Maximum Bandwidth = 2 MB/s"
        options.extraFileDaemons = Self.clients
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 2 << 20)  // about 8.7 MB per job
        try await system.start()
        var jobIds: [Int] = []
        for index in 1...Self.clients {
            jobIds.append(try await system.queue("run job=ExtraBackup-\(index) spooldata=\(spool ? "yes" : "no") yes"))
        }
        for jobId in jobIds {
            let row = try await system.wait(jobId: jobId)
            #expect(row.status == "T", "\(system.report(jobId: jobId))")
        }
        return (system, jobIds)
    }

    /// Every job's drive report says 0 underruns, the daemon logged none, and `status storage` shows 0.
    /// The drive's rate is held at its rated speed: no job's report shows an average rate far above it (the first
    /// 4 MiB go into the drive's buffer at once, so a short job's average may exceed the rated speed a little;
    /// without the limit it would be the disk's hundreds of MB/s).
    func expectNoUnderruns(_ system: BaculaSystem, jobs: Int, ratedBytesPerSecond: Double) async throws {
        let reports = system.messages.components(separatedBy: "\n").filter { $0.contains("drive underruns=") }
        #expect(reports.count >= jobs, "\(system.messages.suffix(3000))")
        #expect(reports.allSatisfy { $0.contains("drive underruns=0.") }, "\(reports)")
        #expect(!system.storageLog.contains("drive underrun:"), "\(system.storageLog.suffix(4000))")
        let status = try await system.console(["status storage=SystemStorage"])
        #expect(status.contains("Drive underruns: 0"), "\(status)")
        let rates = reports.compactMap { line -> Double? in
            guard let range = line.range(of: #"average rate [0-9,]+ bytes/s"#, options: .regularExpression) else { return nil }
            return Double(line[range].filter(\.isNumber))
        }
        #expect(rates.count == reports.count && !rates.isEmpty, "\(reports)")
        #expect(rates.allSatisfy { $0 > 0 && $0 <= ratedBytesPerSecond * 1.25 }, "\(reports)")
    }

    func expectRestores(_ system: BaculaSystem, _ jobIds: [Int]) async throws {
        for index in [1, Self.clients] {
            let target = system.restoreDirectory + "/from-fd-\(index)"
            let restore = try await system.restore("jobid=\(jobIds[index - 1])", into: target, client: "extra-fd-\(index)")
            #expect(restore.status == "T", "\(system.messages.suffix(3000))")
            try await BackupRestoreTests().sameTree(system.dataDirectory, target + system.dataDirectory)
        }
    }

    /// Spooled: the clients send 8 MB/s together, the drive streams at 16 MB/s and down to 4 MB/s, so each
    /// client alone (2 MB/s) is too slow to keep it streaming; each job's spool holds 4 blocks of 1 MiB. The
    /// despooler starts a burst only with enough spooled, and a job that runs dry loses its turn.
    @Test func spooledThrottledClientsNeverStarveTheDrive() async throws {
        let (system, jobIds) = try await backUp(
            device: "Maximum Tape Rate = 16 MB/s; Minimum Tape Rate = 4 MB/s; Tape Buffer Size = 4M; "
                + "Maximum Job Spool Size = 4M",
            spool: true)
        #expect(system.messages.contains("spooling") || system.storageLog.contains("spooling=true"), "no job spooled")
        try await expectNoUnderruns(system, jobs: Self.clients, ratedBytesPerSecond: 16e6)
        try await expectRestores(system, jobIds)
    }

    /// Unspooled: the drive's rated 6 MB/s is below the 8 MB/s the clients send together; its speed matching
    /// goes down to 1 MB/s, so even one client alone keeps it streaming.
    @Test func unspooledClientsFasterThanTheDriveKeepItStreaming() async throws {
        let (system, jobIds) = try await backUp(
            device: "Maximum Tape Rate = 6 MB/s; Minimum Tape Rate = 1 MB/s; Tape Buffer Size = 4M", spool: false)
        try await expectNoUnderruns(system, jobs: Self.clients, ratedBytesPerSecond: 6e6)
        try await expectRestores(system, jobIds)
    }
}
