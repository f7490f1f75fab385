import CapstanTestSupport
import Foundation
import Testing

/// Through capstan-dir and the real bconsole: Accurate Full, Incremental after changes, Differential, a restore of
/// the current state (deleted files stay deleted), and an interactive restore of two files marked in the tree.
/// Every job writes its own volume (Maximum Volume Jobs = 1), so the restores read across volumes.
@Suite struct DirectorIncrementalTests {
    @Test(arguments: [BaculaSystem.StorageKind.bacula, .capstan])
    func accurateIncrementalDifferentialAndInteractiveRestore(storage: BaculaSystem.StorageKind) async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Accurate = yes"
        let system = try BaculaSystem(storage: storage, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let data = system.dataDirectory

        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)\n\(system.directorLog)")

        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/sizes/file-4096.bin"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("appended after the full backup\n".utf8))
        try handle.close()
        try Data("a file added after the full backup\n".utf8).write(to: URL(fileURLWithPath: data + "/nested/added.txt"))
        try FileManager.default.removeItem(atPath: data + "/name with spaces.txt")

        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")
        #expect(incremental.files > 0 && incremental.files < full.files)
        let levels = try await system.sql("SELECT Level FROM Job WHERE JobId=\(incremental.jobId)")
        #expect(levels.trimmingCharacters(in: .whitespacesAndNewlines) == "I")
        #expect(system.messages.contains("Sending Accurate information to the FD."))

        try Data("a second file after the incremental\n".utf8).write(to: URL(fileURLWithPath: data + "/nested/second.txt"))
        let differential = try await system.backup(level: "Differential")
        #expect(differential.status == "T", "\(system.messages)")
        #expect(differential.files >= 3 && differential.files < full.files, "\(differential)")
        let differentialLevel = try await system.sql("SELECT Level FROM Job WHERE JobId=\(differential.jobId)")
        #expect(differentialLevel.trimmingCharacters(in: .whitespacesAndNewlines) == "D")

        let restore = try await system.restore("select current")
        #expect(restore.status == "T", "\(system.messages)")
        let bootstrap = try String(contentsOfFile: system.directory + "/dir/system-dir.restore.1.bsr", encoding: .utf8)
        #expect(bootstrap.contains("Volume=\"Vol-0001\"") && bootstrap.contains("Volume=\"Vol-0003\""), "\(bootstrap)")
        try await DirectorBackupRestoreTests.sameTree(data, system.restoredDataDirectory, directoryTimes: false)
        let deletions = try await system.sql(
            "SELECT JobId, FileIndex, Name FROM File JOIN Filename USING (FilenameId) WHERE Name LIKE 'name with%'")
        #expect(!FileManager.default.fileExists(atPath: system.restoredDataDirectory + "/name with spaces.txt"), "\(deletions)")

        // The interactive path: menu item 5, the tree, two files marked.
        let target = system.directory + "/interactive"
        let dialogue = try await system.console([
            "restore where=\(target)", "5", "cd \(data)/sizes", "ls", "mark file-100.bin", "mark file-4096.bin", "lsmark",
            "estimate", "done", "yes", "wait",
        ])
        #expect(dialogue.contains("Select item:  (1-13):"), "\(dialogue)")
        #expect(dialogue.contains("You have selected the following JobIds: \(full.jobId),\(differential.jobId)"), "\(dialogue)")
        #expect(dialogue.contains("*file-100.bin") && dialogue.contains("*file-4096.bin"), "\(dialogue)")
        #expect(dialogue.contains("2 files selected to be restored."), "\(dialogue)")
        #expect(dialogue.contains("Job queued. JobId="), "\(dialogue)")
        let restored = try FileManager.default.subpathsOfDirectory(atPath: target).filter { !$0.hasSuffix("/") }
        let files = restored.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: target + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        #expect(files.sorted() == [String((data + "/sizes/file-100.bin").dropFirst()), String((data + "/sizes/file-4096.bin").dropFirst())],
            "\(restored)")
        for name in ["file-100.bin", "file-4096.bin"] {
            #expect(FileManager.default.contentsEqual(atPath: data + "/sizes/" + name, andPath: target + data + "/sizes/" + name))
        }
    }
}
