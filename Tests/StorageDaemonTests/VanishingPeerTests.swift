import CapstanTestSupport
import Foundation
import Testing

/// The Director or the File daemon of a running backup killed with SIGKILL (issue #13 §2, docs/faults.md): capstan-sd
/// ends the job in error well within its Heartbeat Interval, releases the device (no job left on it in `status
/// storage`), and after the killed daemon is started again the next job runs and restores byte-identically. Once
/// with Debian's bacula-dir and bacula-fd, once with capstan-dir and capstan-fd.
@Suite(.serialized) struct VanishingPeerTests {
    enum Victim: String, Sendable, CustomTestStringConvertible {
        case director
        case fileDaemon
        var testDescription: String { rawValue }
    }

    /// capstan-sd's default Heartbeat Interval (`HeartbeatDefault`), the bound the brief sets, and the margin a
    /// loaded machine gets on top of it.
    static let heartbeat: Duration = .seconds(10)
    static let margin: Duration = .seconds(15)

    @Test(arguments: [Victim.director, .fileDaemon], [false, true])
    func aPeerKilledMidBackupEndsTheJobInErrorAndReleasesTheDevice(victim: Victim, capstanPeers: Bool) async throws {
        var options = BaculaSystem.Options()
        // The File daemon throttles the job, so the kill lands mid-job on a machine of any speed: the real one
        // through the Director's setbandwidth, capstan-fd through its own Maximum Bandwidth Per Job (capstan-dir
        // sends no setbandwidth; an unthrottled 384 MiB job once ended within a second, before the kill). At 1 MB/s the
        // job would take about 80 s; the kill comes after its first MiB. The length is the margin for a loaded machine:
        // with a 4 MiB file (a 20 s job) the test's own bconsole and sqlite3 calls once took so long under the whole
        // suite's load that the job had ended before the test looked.
        if capstanPeers {
            options.director = .capstan
            options.fileDaemon = .capstan
            options.fileDaemonDirectives = "Maximum Bandwidth Per Job = 1 mb/s"
        } else {
            options.job = "Maximum Bandwidth = 1 mb/s"
        }
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 64 << 20)
        try await system.start()
        let queued = ContinuousClock.now
        let jobId = try await system.queue("run job=SystemBackup yes")
        let jobName = try await system.sql("SELECT Job FROM Job WHERE JobId=\(jobId)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!jobName.isEmpty)

        // Data flows: the File daemon attached and the volume grows.
        let flowing = await RealBacula.eventually(seconds: 120) {
            system.storageLog.contains("File daemon attached")
                && ((try? system.volumes()) ?? []).contains { Self.size($0) > 1 << 20 }
        }
        print("VanishingPeerTests: \(victim) (capstan peers: \(capstanPeers)): data flowing \(ContinuousClock.now - queued) after the run command")
        #expect(flowing, "no data reached the volume: \(system.storageLog.suffix(3000))")
        #expect(Self.endLine(of: jobName, in: system.storageLog) == nil, "the job ended before the kill")

        let killed = ContinuousClock.now
        switch victim {
        case .director: system.killDirector()
        case .fileDaemon: system.killFileDaemon()
        }
        var endLine: String?
        let ended = await RealBacula.eventually(seconds: Double((Self.heartbeat + Self.margin).components.seconds)) {
            endLine = Self.endLine(of: jobName, in: system.storageLog)
            return endLine != nil
        }
        let took = ContinuousClock.now - killed
        print("VanishingPeerTests: \(victim) killed (capstan peers: \(capstanPeers)); capstan-sd ended the job after \(took)")
        #expect(ended, "capstan-sd did not end the job within \(Self.heartbeat + Self.margin): \(system.storageLog.suffix(3000))")
        let line = endLine ?? ""
        #expect(line.contains("status='E'"), "\(line)")  // JobStatus error
        switch victim {
        case .director: #expect(line.contains("error=the Director's connection for this job was lost"), "\(line)")
        case .fileDaemon:
            // capstan-dir, seeing its FD gone, may drop the job's SD link first: the job's error then names the
            // Director; either way the SD saw the FD's link break.
            #expect(line.contains("error="), "\(line)")
            #expect(system.storageLog.split(separator: "\n").contains { $0.contains("FD connection lost while") && $0.contains(jobName) },
                "\(system.storageLog.suffix(3000))")
        }

        // The killed daemon comes back, as a service manager would start it.
        switch victim {
        case .director: try await system.startDirector(options.director)
        case .fileDaemon:
            try await system.restartFileDaemon()
            let failed = try await system.wait(jobId: jobId, timeout: 120)
            #expect(["E", "f"].contains(failed.status), "the Director's verdict: \(failed.status)\n\(system.messages.suffix(2000))")
        }
        // The device is released: no job running, none attached to the device.
        let status = try await system.console(["status storage=SystemStorage"])
        #expect(status.contains("No Jobs running."), "\(status)")
        let attached = status.split(separator: "\n").filter { $0.hasPrefix("Attached JobIds:") }
        #expect(!attached.isEmpty && attached.allSatisfy { $0.dropFirst("Attached JobIds:".count).trimmingCharacters(in: .whitespaces).isEmpty },
            "\(status)")

        // The next job runs on the same device and restores byte-identically.
        try FileManager.default.removeItem(atPath: system.dataDirectory + "/big.bin")
        let next = try await system.backup(timeout: 300)
        #expect(next.status == "T", "\(system.messages.suffix(3000))\n\(system.storageLog.suffix(3000))")
        let target = system.restoreDirectory + "/job-\(next.jobId)"
        let restore = try await system.restore("jobid=\(next.jobId)", into: target, timeout: 300)
        #expect(restore.status == "T", "\(system.messages.suffix(3000))")
        try await BackupRestoreComparison.sameTree(system.dataDirectory, target + system.dataDirectory)
    }

    /// capstan-sd's `job ended` log line of `job`, nil while there is none.
    static func endLine(of job: String, in log: String) -> String? {
        log.split(separator: "\n").first { $0.contains("job ended") && $0.contains(job) }.map(String.init)
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
