import CapstanTestSupport
import Foundation
import Testing

/// Pools and retention through capstan-dir with the real bacula-fd and capstan-sd (issue 11 acceptance: with
/// Maximum Volume Jobs = 1 and a Label Format three jobs make three volumes; once the pool is full and retention
/// has passed the oldest volume is pruned and recycled; Purge Oldest Volume; AutoPrune drops File rows past File
/// Retention).
@Suite struct DirectorPoolTests {
    /// Waits until the catalog time `column` of the row `condition` selects is more than `seconds` in the past
    /// (the event a retention waits for), at most 60 s.
    static func waitUntilOlder(_ system: BaculaSystem, table: String, column: String, condition: String, seconds: Int)
        async throws
    {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let answer = try await system.sql(
                "SELECT strftime('%s','now','localtime') - strftime('%s', \(column)) > \(seconds) FROM \(table) WHERE \(condition)"
            )
            if answer.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CommandFailure(description: "\(table).\(column) of \(condition) did not get older than \(seconds) s")
    }

    static func value(_ system: BaculaSystem, _ query: String) async throws -> String {
        try await system.sql(query).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func threeJobsMakeThreeVolumesThenTheOldestIsPrunedAndRecycled() async throws {
        var options = BaculaSystem.Options()
        options.directorResources = """
            Pool {
              Name = CyclePool; Pool Type = Backup; Label Format = "Cycle-"; Maximum Volume Jobs = 1
              Maximum Volumes = 3; Volume Retention = 2 seconds; AutoPrune = yes; Recycle = yes
              Recycle Oldest Volume = yes
            }
            Job {
              Name = CycleBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = CyclePool; Messages = Standard
            }
            Pool {
              Name = PurgePool; Pool Type = Backup; Label Format = "Purge-"; Maximum Volume Jobs = 1
              Maximum Volumes = 1; Volume Retention = 1 year; AutoPrune = no; Recycle = yes; Purge Oldest Volume = yes
            }
            Job {
              Name = PurgeBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = PurgePool; Messages = Standard
            }
            """
        let system = try DirectorBackupRestoreTests.system(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()

        var jobs: [Int] = []
        for _ in 1...3 {
            let backup = try await system.backup(job: "CycleBackup")
            #expect(backup.status == "T", "\(system.messages)\n\(system.directorLog)")
            jobs.append(backup.jobId)
        }
        let made = try await Self.value(system, "SELECT VolumeName, VolJobs, VolStatus FROM Media ORDER BY MediaId")
        #expect(made == "Cycle-0001|1|Used\nCycle-0002|1|Used\nCycle-0003|1|Used", "\(made)")

        // The pool is full (Maximum Volumes = 3); once Cycle-0001's retention has passed, the next job prunes it
        // (its job leaves the catalog) and writes on it again from its label.
        try await Self.waitUntilOlder(
            system, table: "Media", column: "LastWritten", condition: "VolumeName='Cycle-0001'", seconds: 2)
        let fourth = try await system.backup(job: "CycleBackup")
        #expect(fourth.status == "T", "\(system.messages)\n\(system.directorLog)\n\(system.storageLog)")
        #expect(system.messages.contains("Recycled volume \"Cycle-0001\""), "\(system.messages)")
        let count = try await Self.value(system, "SELECT COUNT(*) FROM Media")
        #expect(count == "3", "a new volume was made instead of recycling: \(count)")
        let recycled = try await Self.value(
            system, "SELECT VolJobs, VolStatus, RecycleCount, Recycle FROM Media WHERE VolumeName='Cycle-0001'")
        #expect(recycled == "1|Used|1|1", "\(recycled)")
        let written = try await Self.value(
            system, "SELECT DISTINCT VolumeName FROM JobMedia JOIN Media USING (MediaId) WHERE JobId=\(fourth.jobId)")
        #expect(written == "Cycle-0001", "\(written)")
        let first = try await Self.value(system, "SELECT COUNT(*) FROM Job WHERE JobId=\(jobs[0])")
        #expect(first == "0", "the pruned volume's job is still in the catalog")

        // The recycled volume holds the new job from its start: it restores byte-identical.
        let restore = try await system.restore("jobid=\(fourth.jobId)")
        #expect(restore.status == "T", "\(system.messages)")
        try await DirectorBackupRestoreTests.sameTree(system.dataDirectory, system.restoredDataDirectory)

        // Purge Oldest Volume: the pool's only volume is purged whatever its retention (a year) and recycled.
        let kept = try await system.backup(job: "PurgeBackup")
        let purging = try await system.backup(job: "PurgeBackup")
        #expect(kept.status == "T" && purging.status == "T", "\(system.messages)")
        #expect(system.messages.contains("Purging oldest volume \"Purge-0001\""), "\(system.messages)")
        let purgeVolumes = try await Self.value(
            system, "SELECT COUNT(*), MAX(RecycleCount) FROM Media WHERE VolumeName LIKE 'Purge-%'")
        #expect(purgeVolumes == "1|1", "\(purgeVolumes)")
        let purgedJob = try await Self.value(system, "SELECT COUNT(*) FROM Job WHERE JobId=\(kept.jobId)")
        #expect(purgedJob == "0", "the purged volume's job is still in the catalog")
        let purgeWritten = try await Self.value(
            system, "SELECT DISTINCT VolumeName FROM JobMedia JOIN Media USING (MediaId) WHERE JobId=\(purging.jobId)")
        #expect(purgeWritten == "Purge-0001", "\(purgeWritten)")
    }

    /// The Client's AutoPrune, or a Job's `Prune Files = yes` overriding a Client without it.
    @Test(arguments: [("AutoPrune = yes", ""), ("AutoPrune = no", "Prune Files = yes")])
    func autoPruneDropsFilesPastFileRetentionAfterEachJob(client: String, job: String) async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        options.directorResources = """
            Client {
              Name = pruned-fd; Address = 127.0.0.1; FDPort = {FDPORT}; Catalog = MyCatalog; Password = "fd-password"
              \(client); File Retention = 2 seconds; Job Retention = 1 year
            }
            Job {
              Name = PrunedBackup; Type = Backup; Level = Full; Client = pruned-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard; \(job)
            }
            """
        let system = try DirectorBackupRestoreTests.system(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()

        let first = try await system.backup(job: "PrunedBackup")
        #expect(first.status == "T", "\(system.messages)\n\(system.directorLog)")
        let kept = try await Self.value(system, "SELECT COUNT(*) FROM File WHERE JobId=\(first.jobId)")
        #expect(Int(kept) == first.files, "the job's own files are within File Retention: \(kept)")

        try await Self.waitUntilOlder(
            system, table: "Job", column: "EndTime", condition: "JobId=\(first.jobId)", seconds: 2)
        let second = try await system.backup(job: "PrunedBackup")
        #expect(second.status == "T", "\(system.messages)")
        let pruned = try await Self.value(
            system,
            "SELECT COUNT(*), (SELECT PurgedFiles FROM Job WHERE JobId=\(first.jobId)) FROM File WHERE JobId=\(first.jobId)"
        )
        #expect(pruned == "0|1", "the first job's files past File Retention: \(pruned)")
        let current = try await Self.value(
            system,
            "SELECT COUNT(*), (SELECT PurgedFiles FROM Job WHERE JobId=\(second.jobId)) FROM File WHERE JobId=\(second.jobId)"
        )
        #expect(current == "\(second.files)|0", "the second job keeps its files: \(current)")
    }

    /// A Job with `Prune Volumes = yes` purges its pool's volumes past Volume Retention after it ends (the pool
    /// itself has AutoPrune = no): the first job's Used volume loses its job, the second job's stays.
    @Test func aJobsPruneVolumesPurgesItsPoolsVolumesPastRetention() async throws {
        var options = BaculaSystem.Options()
        // long enough that the second job's own volume, written just before the pruning, is never past it
        options.pool = "Volume Retention = 8 sec"
        options.job = "Prune Volumes = yes"
        let system = try DirectorBackupRestoreTests.system(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let first = try await system.backup()
        #expect(first.status == "T", "\(system.report(jobId: first.jobId))")
        try await Self.waitUntilOlder(system, table: "Media", column: "LastWritten", condition: "VolumeName='Vol-0001'", seconds: 8)
        let second = try await system.backup()
        #expect(second.status == "T", "\(system.report(jobId: second.jobId))")
        let media = try await Self.value(system, "SELECT group_concat(VolumeName || ':' || VolStatus, ' ') FROM Media ORDER BY MediaId")
        #expect(media == "Vol-0001:Purged Vol-0002:Used", "\(media)")
        #expect(try await Self.value(system, "SELECT COUNT(*) FROM Job WHERE JobId=\(first.jobId)") == "0")
        #expect(system.report(jobId: second.jobId).contains("Volume \"Vol-0001\" contains no jobs after pruning."))
    }
}

