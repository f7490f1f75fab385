import CapstanTestSupport
import Foundation
import Testing

/// The real bacula-dir labels and relabels volumes on capstan-sd's File device (capstan-sd once refused `label`
/// there with "3912 ... no volume named"): the file is created, backed up to, purged and relabelled.
@Suite struct RealDirectorFileLabelTests {
    @Test func labelBackupPurgeRelabel() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()

        let label = try await system.console(["label storage=SystemStorage volume=First pool=SystemPool"])
        #expect(label.contains("3000 OK label."), "\(label)\n\(system.storageLog)")
        #expect(FileManager.default.fileExists(atPath: system.volumeDirectory + "/First"))
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)")
        let written = try await system.sql(
            "SELECT DISTINCT VolumeName FROM JobMedia JOIN Media USING (MediaId) WHERE JobId=\(backup.jobId)")
        #expect(written == "First\n", "\(written)")

        let relabel = try await system.console([
            "purge volume=First", "yes",
            "relabel storage=SystemStorage oldvolume=First volume=Second pool=SystemPool yes",
        ])
        #expect(relabel.contains("3000 OK label."), "\(relabel)\n\(system.storageLog)")
        #expect(FileManager.default.fileExists(atPath: system.volumeDirectory + "/Second"))
        let media = try await system.sql("SELECT VolumeName, VolStatus FROM Media")
        #expect(media.hasPrefix("Second|"), "\(media)")
    }
}
