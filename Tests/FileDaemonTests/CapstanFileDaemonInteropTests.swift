import CapstanTestSupport
import Foundation
import Testing

/// capstan-fd driven by the real Debian bacula-dir 9.6.7, writing to the real bacula-sd or to capstan-sd; the
/// restores go through the same daemons. Each test starts its own daemons on free loopback ports.
@Suite(.serialized) struct CapstanFileDaemonInteropTests {
    func system(_ storage: BaculaSystem.StorageKind, fileSetOptions: String = "signature = MD5") async throws -> BaculaSystem {
        var options = BaculaSystem.Options()
        options.fileDaemon = .capstan
        options.fileSetOptions = fileSetOptions
        let system = try BaculaSystem(storage: storage, options: options)
        try await system.start()
        return system
    }

    func fullBackupAndRestore(_ storage: BaculaSystem.StorageKind, bigFileBytes: Int = 3 << 20) async throws {
        let system = try await system(storage)
        try ClientDataSet.generate(at: system.dataDirectory, bigFileBytes: bigFileBytes)
        let backup = try await system.backup()
        #expect(backup.status == "T", "backup: \(system.messages)\n\(system.fileDaemonLog)")
        #expect(backup.files > 30)
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "restore: \(system.messages)\n\(system.fileDaemonLog)")
        let problems = try await ClientDataSet.expectIdentical(system.dataDirectory, system.restoredDataDirectory)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The suite's one test with a file of 1 GiB.
    @Test func fullBackupAndRestoreWithTheRealStorageDaemon() async throws {
        try await fullBackupAndRestore(.bacula, bigFileBytes: 1 << 30)
    }

    @Test func fullBackupAndRestoreWithCapstanStorageDaemon() async throws {
        try await fullBackupAndRestore(.capstan)
    }

    @Test func estimateStatusAndCancelFromTheConsole() async throws {
        var options = BaculaSystem.Options()
        options.fileDaemon = .capstan
        options.job = "Maximum Bandwidth = 2 mb/s"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try await system.start()
        try ClientDataSet.generate(at: system.dataDirectory, bigFileBytes: 64 << 20)
        let estimate = try await system.console(["estimate job=SystemBackup level=Full listing"])
        let files = estimate.firstMatch(of: /2000 OK estimate files=([0-9,]+) bytes=/).map { Int($0.1.filter { $0 != "," }) ?? 0 }
        #expect((files ?? 0) > 30, "\(estimate)")
        #expect(estimate.contains("sizes/file-65536.bin"), "\(estimate)")

        let jobId = try await system.queue("run job=SystemBackup level=Full yes")
        var status = ""
        var running = false
        for _ in 0..<120 where !running {
            status = try await system.console(["status client=system-fd"])
            running = status.contains("JobId \(jobId) Job SystemBackup") && !status.contains("Bytes=0 ")
            if !running { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(running, "\(status)")
        #expect(status.contains("AveBytes/sec="), "\(status)")
        let cancel = try await system.console(["cancel jobid=\(jobId) yes"])
        #expect(cancel.contains("marked to be canceled") || cancel.contains("cancel"), "\(cancel)")
        let ended = try await system.wait(jobId: jobId, timeout: 120)
        #expect(ended.status == "A", "\(system.messages)")
        let after = try await system.console(["status client=system-fd"])
        #expect(after.contains("No Jobs running"), "\(after)")
    }
}
