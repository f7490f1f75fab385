import CapstanTestSupport
import Foundation
import Testing

/// One catalog, both Directors: what capstan-dir wrote the real bacula-dir restores from (and its dbcheck finds
/// nothing to fix), and what the real bacula-dir wrote capstan-dir restores from.
@Suite struct CatalogMigrationTests {
    @Test(arguments: [BaculaSystem.DirectorKind.capstan, .bacula])
    func theOtherDirectorRestoresFromTheCatalog(writer: BaculaSystem.DirectorKind) async throws {
        var options = BaculaSystem.Options()
        options.director = writer
        options.directorCreatesCatalog = writer == .capstan
        options.pool = "Maximum Volume Jobs = 0"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.directorLog)")

        system.stopDirector()
        let reader: BaculaSystem.DirectorKind = writer == .capstan ? .bacula : .capstan
        if reader == .bacula {
            let check = try await Command.run("/usr/sbin/dbcheck", ["-b", "-c", system.directory + "/dir.conf"], timeout: 120)
            #expect(check.status == 0, "dbcheck: \(check.output)\n\(check.errors)")
            #expect(!check.output.contains("ERR="), "dbcheck: \(check.output)")
        }
        try await system.startDirector(reader)
        let list = try await system.console(["list jobs"])
        #expect(list.contains("SystemBackup"), "\(list)")
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.directorLog)")
        #expect(restore.files == backup.files)
        try await DirectorBackupRestoreTests.sameTree(system.dataDirectory, system.restoredDataDirectory)

        // The second Director's Full of the same tree catalogs every file as the first did: the same encoded stat
        // (but the access time, which reading the files for the backup moved) and the same digest text.
        let second = try await system.backup()
        #expect(second.status == "T", "\(system.messages)")
        func rows(_ jobId: Int) async throws -> [String] {
            try await system.sql(
                "SELECT Path || Name, LStat, MD5 FROM File JOIN Path USING (PathId) JOIN Filename USING (FilenameId) "
                    + "WHERE JobId=\(jobId) AND Name <> '' ORDER BY 1"
            ).split(separator: "\n").map { row in
                var fields = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                var stat = fields[1].split(separator: " ").map(String.init)
                if stat.count > 10 { stat[10] = "atime" }
                fields[1] = stat.joined(separator: " ")
                return fields.joined(separator: "|")
            }
        }
        let first = try await rows(backup.jobId)
        #expect(!first.isEmpty)
        let again = try await rows(second.jobId)
        #expect(again == first, "\(Set(again).symmetricDifference(first).sorted().prefix(6))")
    }
}
