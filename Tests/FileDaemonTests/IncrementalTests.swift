import CapstanTestSupport
import Foundation
import Testing

/// Incremental and Differential backups by capstan-fd in Accurate mode, driven by the real bacula-dir into the real
/// bacula-sd: only what changed is sent, deletions and renames are recorded, and a restore of the most recent state
/// gives back exactly the tree as it is now.
@Suite(.serialized) struct IncrementalTests {
    @Test func accurateIncrementalAndDifferentialFollowChangesDeletionsAndRenames() async throws {
        var options = BaculaSystem.Options()
        options.fileDaemon = .capstan
        options.job = "Accurate = yes"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try await system.start()
        let data = system.dataDirectory
        try ClientDataSet.generate(at: data, bigFileBytes: 0)
        let full = try await system.backup(level: "Full")
        #expect(full.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")

        let manager = FileManager.default
        try Data("changed content\n".utf8).write(to: URL(fileURLWithPath: data + "/sizes/file-100.bin"))
        try Data("a new file\n".utf8).write(to: URL(fileURLWithPath: data + "/nested/new.txt"))
        try manager.removeItem(atPath: data + "/modes/readonly.txt")
        try manager.moveItem(atPath: data + "/name with spaces.txt", toPath: data + "/renamed with spaces.txt")
        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        // Changed, new, renamed, their directories and the two deletions (readonly.txt, the old name): not the tree.
        #expect(incremental.files > 3 && incremental.files < 15, "incremental saved \(incremental.files) entries")
        // The Director keeps deleted entries with a negative FileIndex.
        let deleted = try await system.sql("SELECT COUNT(*) FROM File WHERE JobId=\(incremental.jobId) AND FileIndex < 0")
        #expect(Int(deleted.trimmingCharacters(in: .whitespacesAndNewlines)) == 2, "deleted entries: \(deleted)")

        var restore = try await system.restore("select current", into: system.restoreDirectory + "/after-incremental")
        #expect(restore.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        var problems = try await ClientDataSet.expectIdentical(data, system.restoreDirectory + "/after-incremental" + data)
        #expect(problems.isEmpty, "after the incremental: \(problems)")

        try Data("changed again\n".utf8).write(to: URL(fileURLWithPath: data + "/links/target.txt"))
        try manager.removeItem(atPath: data + "/nested/new.txt")
        let differential = try await system.backup(level: "Differential")
        #expect(differential.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        #expect(differential.files > 3 && differential.files < 20, "differential saved \(differential.files) entries")
        restore = try await system.restore("select current", into: system.restoreDirectory + "/after-differential")
        #expect(restore.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        problems = try await ClientDataSet.expectIdentical(data, system.restoreDirectory + "/after-differential" + data)
        #expect(problems.isEmpty, "after the differential: \(problems)")
    }
}

/// Restore options the Director sends: Strip/Add Prefix (as a regexwhere) and the Replace policies.
@Suite(.serialized) struct RestoreOptionTests {
    @Test func stripAndAddPrefixAndReplacePoliciesAndClientScripts() async throws {
        let markers = try RealBacula.temporaryDirectory("capstan-fd-scripts")
        defer { RealBacula.removeTemporaryDirectory(markers) }
        var options = BaculaSystem.Options()
        options.fileDaemon = .capstan
        let system = try BaculaSystem(storage: .bacula, options: options)
        let data = system.dataDirectory
        // the before-script writes into the backed-up tree: the backup holds it only if it ran before the FD read
        // the tree. bacula-dir sends both in the old protocol (`RunBeforeJob cmd`, run at once; no RunBeforeNow
        // follows): capstan-fd once kept the before-script for a RunBeforeNow that never came, and never ran it.
        system.options.job = """
            ClientRunBeforeJob = "/bin/sh -c 'touch \(markers)/before; echo before > \(data)/before-marker'"
            ClientRunAfterJob = "/usr/bin/touch \(markers)/after"
            """
        try await system.start()
        try ClientDataSet.generate(at: data, bigFileBytes: 0)
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        #expect(FileManager.default.fileExists(atPath: markers + "/before"), "ClientRunBeforeJob did not run")
        #expect(FileManager.default.fileExists(atPath: markers + "/after"), "the RunScript after the job did not run")
        let saved = try await system.sql(
            "SELECT Filename.Name FROM File JOIN Filename ON Filename.FilenameId = File.FilenameId WHERE JobId = \(backup.jobId)")
        #expect(saved.contains("before-marker"), "ClientRunBeforeJob ran after the backup: \(saved)")

        let moved = system.restoreDirectory + "/moved"
        func restore(_ extra: String) async throws -> String {
            let jobId = try await system.queue(
                "restore client=system-fd fileset=SystemSet jobid=\(backup.jobId) \(extra) all done yes")
            return try await system.wait(jobId: jobId, timeout: 300).status
        }
        #expect(try await restore("strip_prefix=\(data) add_prefix=\(moved)") == "T", "\(system.messages)\n\(system.fileDaemonLog)")
        let problems = try await ClientDataSet.expectIdentical(data, moved)
        #expect(problems.isEmpty, "strip/add prefix: \(problems)")

        let probe = moved + "/modes/tool.sh"
        try Data("edited after the restore\n".utf8).write(to: URL(fileURLWithPath: probe))
        #expect(try await restore("strip_prefix=\(data) add_prefix=\(moved) replace=never") == "T")
        #expect(try String(contentsOfFile: probe, encoding: .utf8) == "edited after the restore\n")
        #expect(try await restore("strip_prefix=\(data) add_prefix=\(moved) replace=ifnewer") == "T")
        #expect(try String(contentsOfFile: probe, encoding: .utf8) == "edited after the restore\n")
        #expect(try await restore("strip_prefix=\(data) add_prefix=\(moved) replace=always") == "T")
        #expect(try String(contentsOfFile: probe, encoding: .utf8) == "#!/bin/sh\necho hi\n")
    }
}
