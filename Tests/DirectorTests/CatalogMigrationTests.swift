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

    /// The real bscan writes into the catalog capstan-dir created, and capstan-dir restores what bscan put back:
    /// the job is deleted from the catalog (`delete jobid=`), bscan rebuilds it from capstan-sd's volume, and the
    /// restore of the rebuilt job is byte-identical.
    @Test func bscanRebuildsADeletedJobInTheCatalogCapstanDirWrote() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.directorCreatesCatalog = true
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.directorLog)")
        let volume = try #require(try system.volumes().first.map { ($0 as NSString).lastPathComponent })
        let deleted = try await system.console(["delete jobid=\(backup.jobId) yes"])
        let remaining = try await system.sql("SELECT COUNT(*) FROM Job WHERE JobId=\(backup.jobId)")
        #expect(remaining.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(deleted)")

        system.stopDirector()
        let scan = try await Command.run(
            "/usr/sbin/bscan",
            ["-s", "-m", "-v", "-c", system.directory + "/sd.conf", "-n", "bacula", "-w", system.directory + "/dir",
             "-V", volume, "FileDev"],
            timeout: 300)
        #expect(scan.status == 0, "bscan: \(scan.output)\n\(scan.errors)")
        let created = try #require(
            scan.output.split(separator: "\n").lazy.compactMap { line -> Int? in
                guard let range = line.range(of: "Created new JobId=") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }.first, "bscan created no job: \(scan.output)")
        let files = try await system.sql("SELECT JobFiles FROM Job WHERE JobId=\(created)")
        #expect(files.trimmingCharacters(in: .whitespacesAndNewlines) == "\(backup.files)", "\(scan.output)")

        try await system.startDirector(.capstan)
        let restore = try await system.restore("jobid=\(created)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.directorLog)")
        #expect(restore.files == backup.files)
        try await DirectorBackupRestoreTests.sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}
