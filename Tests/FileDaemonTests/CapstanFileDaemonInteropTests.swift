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

    func fullBackupAndRestore(_ storage: BaculaSystem.StorageKind) async throws {
        let system = try await system(storage)
        try ClientDataSet.generate(at: system.dataDirectory)
        let backup = try await system.backup()
        #expect(backup.status == "T", "backup: \(system.messages)\n\(system.fileDaemonLog)")
        #expect(backup.files > 30)
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "restore: \(system.messages)\n\(system.fileDaemonLog)")
        let problems = try await ClientDataSet.expectIdentical(system.dataDirectory, system.restoredDataDirectory)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func fullBackupAndRestoreWithTheRealStorageDaemon() async throws {
        try await fullBackupAndRestore(.bacula)
    }

    @Test func fullBackupAndRestoreWithCapstanStorageDaemon() async throws {
        try await fullBackupAndRestore(.capstan)
    }
}
