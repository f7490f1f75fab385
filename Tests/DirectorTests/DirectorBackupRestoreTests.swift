import CapstanTestSupport
import Foundation
import Testing

/// capstan-dir, driven by the real bconsole, runs backups and restores with the real bacula-fd and the real
/// bacula-sd or capstan-sd (issue 11 acceptance: label, Full, restore of everything, byte-identical).
@Suite struct DirectorBackupRestoreTests {
    /// `diff -r --no-dereference` and the stat listings (modes, owners, times) agree.
    static func sameTree(_ original: String, _ restored: String, directoryTimes: Bool = true) async throws {
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", original, restored], timeout: 300)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000)) \(diff.errors.prefix(500))")
        let before = try await DataSet.listing(of: original, directoryTimes: directoryTimes)
        let after = try await DataSet.listing(of: restored, directoryTimes: directoryTimes)
        #expect(before == after, "stat listings differ: \(Set(before).symmetricDifference(after).sorted().prefix(20))")
    }

    static func system(storage: BaculaSystem.StorageKind, options: BaculaSystem.Options = .init()) throws -> BaculaSystem {
        var options = options
        options.director = .capstan
        return try BaculaSystem(storage: storage, options: options)
    }

    @Test(arguments: [BaculaSystem.StorageKind.bacula, .capstan])
    func labelFullBackupAndRestoreEverything(storage: BaculaSystem.StorageKind) async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        // the bootstrap piped into a command (`Subprocess`, no shell: `tee` found in PATH), which the job waits for;
        // its name from the job's codes
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-bsr-\(UUID().uuidString)").path
        let bootstrap = prefix + "-SystemBackup-Full-system-fd"
        defer { try? FileManager.default.removeItem(atPath: bootstrap) }
        options.job = "Write Bootstrap = \"|tee \(prefix)-%n-%l-%c\""
        let system = try Self.system(storage: storage, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 3 << 20)
        try await system.start()

        // `label` on a File device creates the volume's file (capstan-sd once refused it, "no volume named for
        // File device"); the backup then goes to that volume, not to one from the pool's Label Format.
        let volume = "First"
        let label = try await system.console(["label storage=SystemStorage volume=First pool=SystemPool"])
        #expect(label.contains("Catalog record for Volume \"First\", Slot 0 successfully created."), "\(label)")
        #expect(label.contains("3000 OK label."), "\(label)")

        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.directorLog)")
        #expect(backup.files >= 30)
        let written = (try? String(contentsOfFile: bootstrap, encoding: .utf8)) ?? ""
        #expect(written.contains("Volume=\"First\"") && written.contains("VolSessionId="), "bootstrap: \(written)")
        let volumes = try await system.sql("SELECT VolumeName, VolJobs, VolStatus FROM Media")
        #expect(volumes.contains("\(volume)|1|Append"), "\(volumes)")
        let files = try await system.sql("SELECT COUNT(*) FROM File WHERE JobId=\(backup.jobId)")
        #expect(Int(files.trimmingCharacters(in: .whitespacesAndNewlines)) == backup.files)
        let digests = try await system.sql("SELECT COUNT(*) FROM File WHERE JobId=\(backup.jobId) AND MD5 <> '0'")
        #expect((Int(digests.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)

        let list = try await system.console(["list jobs"])
        #expect(list.contains("| JobId | Name"), "\(list)")
        #expect(list.contains("SystemBackup"))

        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.directorLog)")
        #expect(restore.files == backup.files)
        try await Self.sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}

extension DirectorBackupRestoreTests {
    /// A restore to another client with Strip Prefix and Add Prefix: the tree lands under the new prefix, byte-identical.
    @Test func restoreToAnotherClientWithStripAndAddPrefix() async throws {
        var options = BaculaSystem.Options()
        options.extraFileDaemons = 1
        let system = try Self.system(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)")
        let target = system.directory + "/elsewhere"
        let jobId = try await system.queue(
            "restore client=system-fd restoreclient=extra-fd-1 jobid=\(backup.jobId) strip_prefix=\(system.dataDirectory) "
                + "add_prefix=\(target) all done yes")
        let restore = try await system.wait(jobId: jobId)
        #expect(restore.status == "T", "\(system.messages)")
        #expect(system.messages.contains("extra-fd-1"), "\(system.messages)")
        try await Self.sameTree(system.dataDirectory, target)
    }
}
