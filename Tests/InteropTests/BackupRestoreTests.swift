import CapstanTestSupport
import Foundation
import Testing

/// A real bacula-dir and bacula-fd back up to capstan-sd and restore from it (issue #5 acceptance).
@Suite(.serialized) struct BackupRestoreTests {
    /// The big file of the data set: 1 GiB unless CAPSTAN_BIG_FILE_MB says otherwise (for quick local runs).
    static let bigFileBytes = (Int(ProcessInfo.processInfo.environment["CAPSTAN_BIG_FILE_MB"] ?? "") ?? 1024) << 20

    /// `diff -r` and the stat listings agree. Directory times are compared unless `directoryTimes` is off (a restore
    /// that combines jobs writes newer files into directories whose times were set from an older job, in Bacula too).
    func sameTree(_ original: String, _ restored: String, directoryTimes: Bool = true) async throws {
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", original, restored], timeout: 900)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000)) \(diff.errors.prefix(500))")
        let before = try await DataSet.listing(of: original, directoryTimes: directoryTimes)
        let after = try await DataSet.listing(of: restored, directoryTimes: directoryTimes)
        #expect(before == after, "stat listings differ: \(Set(before).symmetricDifference(after).sorted().prefix(20))")
    }

    @Test func fullBackupOfARichTreeRestoresByteIdentical() async throws {
        var options = BaculaSystem.Options()
        options.fileSetOptions = "signature = MD5; sparse = yes"
        options.device = "Maximum Block Size = 1048576"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: Self.bigFileBytes)
        try await system.start()

        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(backup.files >= 30)
        #expect(backup.bytes > Self.bigFileBytes)
        // The record data went straight from the socket into the blocks (DirectStreamReader), not through frames.
        #expect(system.storageLog.contains("records=socket"), "\(system.storageLog)")

        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)")
        #expect(restore.files == backup.files)
        try await sameTree(system.dataDirectory, system.restoredDataDirectory)

        var hard = stat()
        var target = stat()
        #expect(stat(system.restoredDataDirectory + "/links/hard-link.txt", &hard) == 0)
        #expect(stat(system.restoredDataDirectory + "/links/target.txt", &target) == 0)
        #expect(hard.st_ino == target.st_ino, "the hard link was restored as a copy")
        var sparse = stat()
        #expect(stat(system.restoredDataDirectory + "/sparse.img", &sparse) == 0)
        #expect(sparse.st_size == 8 << 20)
        #expect(Int(sparse.st_blocks) * 512 < 1 << 20, "sparse.img lost its holes: \(sparse.st_blocks) blocks")

        // The volume is a Bacula volume: Capstan's and Bacula's own tools read it.
        let volumes = try system.volumes()
        #expect(volumes.count == 1)
        let listing = try await Programs.run("capstan", ["ls", "--json"] + volumes)
        #expect(listing.status == 0, "\(listing.errors)")
        #expect(listing.output.contains("\"jobId\" : \(backup.jobId)"))
        let bls = try await RealBaculaTools.bls(volume: volumes[0], arguments: ["-j"])
        #expect(bls.output.contains("JobId=\(backup.jobId)"), "\(bls.output)\n\(bls.errors)")
        #expect(!bls.output.contains("Error:") && !bls.output.contains("ERR="), "\(bls.output)")
        #expect(bls.output.contains("Errors=0 Status=T"))
        let extracted = try RealBacula.temporaryDirectory("capstan-bextract")
        let bextract = try await RealBaculaTools.bextract(volume: volumes[0], into: extracted)
        #expect(bextract.status == 0, "\(bextract.output)\n\(bextract.errors)")
        try await sameTree(system.dataDirectory, extracted + system.dataDirectory)
        try? FileManager.default.removeItem(atPath: extracted)
    }
}

extension BackupRestoreTests {
    @Test func incrementalAfterChangesRestoresTheLatestState() async throws {
        var options = BaculaSystem.Options()
        options.job = "Accurate = yes"
        options.pool = "Maximum Volume Jobs = 0"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")

        // Change the tree: modify, add, delete, rename.
        let data = system.dataDirectory
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/sizes/file-4096.bin"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("appended after the full backup\n".utf8))
        try handle.close()
        try Data("a file added after the full backup\n".utf8).write(to: URL(fileURLWithPath: data + "/nested/added.txt"))
        try FileManager.default.removeItem(atPath: data + "/name with spaces.txt")
        try FileManager.default.moveItem(atPath: data + "/empty.txt", toPath: data + "/nested/a/renamed-empty.txt")

        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")
        #expect(incremental.files > 0 && incremental.files < full.files)

        let restore = try await system.restore("select current")
        #expect(restore.status == "T", "\(system.messages)")
        try await sameTree(data, system.restoredDataDirectory, directoryTimes: false)
        #expect(!FileManager.default.fileExists(atPath: system.restoredDataDirectory + "/name with spaces.txt"))
    }

    @Test func aVolumeTheRealBaculaSDWroteRestoresThroughCapstan() async throws {
        let system = try BaculaSystem(storage: .bacula)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 8 << 20)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)")
        try await system.replaceStorage(with: .capstan)
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        try await sameTree(system.dataDirectory, system.restoredDataDirectory)
    }

    @Test func aFileDaemonKilledMidBackupFailsTheJobAndTheNextJobAppendsAndRestores() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        // Throttled by the FD, so the kill lands mid-job however fast the machine is (an unthrottled 768 MiB job
        // once ended before the test saw 64 MiB on the volume).
        options.job = "Maximum Bandwidth = 4 mb/s"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 64 << 20)
        try await system.start()
        let jobId = try await system.queue("run job=SystemBackup yes")
        // Kill the client once a good part of the data reached the volume (from a thread: `RealBacula.whenTrue`).
        let client = system.fileDaemonProcessID
        let written = await RealBacula.whenTrue(seconds: 120) {
            ((try? system.volumes()) ?? []).contains { path in
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0 > 8 << 20
            }
        } run: {
            kill(client, SIGKILL)
        }
        #expect(written, "no data reached the volume: \(system.storageLog)")
        system.killFileDaemon()
        let failed = try await system.wait(jobId: jobId, timeout: 300)
        #expect(failed.status != "T", "the job survived its client: \(failed)")

        // The volume reads cleanly up to the last complete block, with the interrupted session closed.
        let volume = try #require(try system.volumes().first)
        let bls = try await RealBaculaTools.bls(volume: volume, arguments: ["-j"])
        #expect(!bls.output.contains("ERR="), "\(bls.output)")
        #expect(bls.output.contains("JobId=\(jobId)"))
        let listing = try await Programs.run("capstan", ["ls", "--json", volume])
        #expect(listing.status == 0 && listing.output.contains("\"damagedBlocks\" : [\n\n    ]"), "\(listing.output.prefix(3000))")

        // The daemon still serves: the next job appends to the same volume and restores.
        try FileManager.default.removeItem(atPath: system.dataDirectory + "/big.bin")
        try await system.restartFileDaemon()
        let next = try await system.backup()
        #expect(next.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(try system.volumes() == [volume], "the next job did not append to \(volume)")
        let restore = try await system.restore("jobid=\(next.jobId)")
        #expect(restore.status == "T", "\(system.messages)")
        try await sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}

/// The same through a virtual tape library: the data path with spooling, end of medium and a restore across volumes.
@Suite(.serialized) struct TapeBackupRestoreTests {
    @Test func aJobOnAVirtualTapeLibraryRestores() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        options.fileSetOptions = "signature = MD5; sparse = yes"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 32 << 20)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog)")
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        try await BackupRestoreTests().sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}

extension TapeBackupRestoreTests {
    @Test func aJobCrossingEndOfMediumRestoresFromBothVolumes() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 24 << 20
        options.job = "Spool Data = yes"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 40 << 20)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.messages)\n\(system.storageLog)")
        let media = try await system.sql("SELECT VolumeName, VolStatus FROM Media ORDER BY MediaId")
        #expect(media.split(separator: "\n").count >= 2, "one volume only: \(media)")
        #expect(media.contains("Vol-0001|Full"), "\(media)")
        let jobMedia = try await system.sql("SELECT COUNT(DISTINCT MediaId) FROM JobMedia WHERE JobId=\(backup.jobId)")
        #expect(Int(jobMedia.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 2, "JobMedia: \(jobMedia)")
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        try await BackupRestoreTests().sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}

extension BackupRestoreTests {
    @Test func fourJobsAtOnceSpooledAndDirectShareOneVolumeAndEachRestores() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        options.device = "Maximum Block Size = 1048576; Maximum Spool Size = 16M; Maximum Job Spool Size = 8M"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 48 << 20)
        try await system.start()
        var jobIds: [Int] = []
        for spool in ["yes", "no", "yes", "no"] {
            jobIds.append(try await system.queue("run job=SystemBackup spooldata=\(spool) yes"))
        }
        for jobId in jobIds {
            let row = try await system.wait(jobId: jobId)
            #expect(row.status == "T", "\(system.report(jobId: jobId))")
        }
        #expect(try system.volumes().count == 1, "the four jobs did not share one volume")
        #expect(system.messages.contains("spooling") || system.storageLog.contains("spooling=true"), "no job spooled")
        // The jobs ran at the same time: their byte ranges on the volume overlap (blocks interleaved, one job each).
        #expect(try await system.overlappingJobMediaPairs() > 0, "no two jobs were written at the same time")
        for jobId in jobIds {
            let target = system.restoreDirectory + "/job-\(jobId)"
            let restore = try await system.restore("jobid=\(jobId)", into: target)
            #expect(restore.status == "T", "\(system.messages)")
            try await sameTree(system.dataDirectory, target + system.dataDirectory)
        }
    }
}

extension BackupRestoreTests {
    @Test func aCanceledJobEndsCanceledAndTheDaemonGoesOn() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 1 << 30)
        try await system.start()
        let jobId = try await system.queue("run job=SystemBackup yes")
        let running = await RealBacula.eventually(seconds: 60) { system.storageLog.contains("appending") }
        #expect(running, "\(system.storageLog)")
        _ = try await system.console(["cancel jobid=\(jobId) yes"])
        let canceled = try await system.wait(jobId: jobId, timeout: 120)
        #expect(canceled.status == "A", "\(canceled) \(system.messages)")
        // The daemon goes on: a small job afterwards appends and restores.
        try FileManager.default.removeItem(atPath: system.dataDirectory + "/big.bin")
        let next = try await system.backup()
        #expect(next.status == "T", "\(system.messages)\n\(system.storageLog.suffix(2000))")
        let restore = try await system.restore("jobid=\(next.jobId)")
        #expect(restore.status == "T")
        try await sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}

extension BackupRestoreTests {
    @Test func eightJobsFromEightFileDaemonsAtOnceInterleaveOnOneDevice() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        options.device = "Maximum Concurrent Jobs = 8"
        options.extraFileDaemons = 8
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 24 << 20)
        try await system.start()
        var jobIds: [Int] = []
        for index in 1...8 {
            jobIds.append(try await system.queue("run job=ExtraBackup-\(index) spooldata=\(index % 2 == 0 ? "yes" : "no") yes"))
        }
        for jobId in jobIds {
            let row = try await system.wait(jobId: jobId)
            #expect(row.status == "T", "\(system.report(jobId: jobId))")
        }
        #expect(try system.volumes().count == 1)
        #expect(try await system.overlappingJobMediaPairs() > 0, "no two jobs ran at the same time")
        let target = system.restoreDirectory + "/from-fd-5"
        let restore = try await system.restore("jobid=\(jobIds[4])", into: target, client: "extra-fd-5")
        #expect(restore.status == "T", "\(system.messages.suffix(3000))")
        try await sameTree(system.dataDirectory, target + system.dataDirectory)
    }

    /// The first job holds the device (its Client Run Before Job waits for a gate file) until the second has been
    /// seen waiting for it; then the gate opens and both complete, one after the other on the device.
    @Test func aDeviceAtItsMaximumConcurrentJobsMakesTheNextJobWait() async throws {
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-gate-\(UUID().uuidString)").path
        let script = gate + ".sh"
        try "#!/bin/sh\nwhile [ ! -e '\(gate)' ]; do sleep 0.1; done\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        defer {
            try? FileManager.default.removeItem(atPath: gate)
            try? FileManager.default.removeItem(atPath: script)
        }
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        options.device = "Maximum Concurrent Jobs = 1"
        options.job = "Client Run Before Job = \"\(script)\""
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 16 << 20)
        try await system.start()
        _ = try await Self.secondJobWaits(
            system, first: "run job=SystemBackup yes", held: "device reserved", second: "run job=SystemBackup yes",
            waiting: "waits for a device: Maximum Concurrent Jobs reached"
        ) { FileManager.default.createFile(atPath: gate, contents: nil) }
    }

    /// Queues `first`; once capstan-sd's log shows `held`, queues `second` and waits until the log shows `waiting`,
    /// then calls `release` and waits for both jobs: each must end `T`, one after the other on the device. Returns
    /// the second's JobId.
    static func secondJobWaits(
        _ system: BaculaSystem, first: String, held: String, second: String, waiting: String, release: () -> Void = {}
    ) async throws -> Int {
        let firstJob = try await system.queue(first)
        let seen = await RealBacula.eventually(seconds: 120) { system.storageLog.contains(held) }
        #expect(seen, "\(system.storageLog.suffix(2000))")
        let secondJob = try await system.queue(second)
        let waited = await RealBacula.eventually(seconds: 120) { system.storageLog.contains(waiting) }
        #expect(waited, "\(system.storageLog.suffix(3000))")
        release()
        for jobId in [firstJob, secondJob] {
            let row = try await system.wait(jobId: jobId)
            #expect(row.status == "T", "\(system.messages.suffix(2000))")
        }
        #expect(try await system.overlappingJobMediaPairs() == 0, "the jobs shared the device at once")
        return secondJob
    }

    /// A job of another pool comes while a job appends to the only device: it waits for the running job to end (a
    /// device writes one pool's volume at a time), is woken by that end, and then writes a volume of its own pool;
    /// both complete and restore.
    @Test func aJobOfAnotherPoolWaitsForTheRunningJobThenWritesItsOwnPoolsVolume() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        options.job = "Maximum Bandwidth = 4 mb/s"  // the first job appends for about 12 s
        options.directorResources = """
            Pool {
              Name = SidePool; Pool Type = Backup; Label Format = "Side-"; Recycle = no; AutoPrune = no
              Storage = SystemStorage
            }
            """
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 48 << 20)
        try await system.start()
        let second = try await Self.secondJobWaits(
            system, first: "run job=SystemBackup yes", held: "appending", second: "run job=SystemBackup pool=SidePool yes",
            waiting: "waits for the running jobs of another pool to end")
        let media = try await system.sql(
            "SELECT DISTINCT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId=\(second)")
        #expect(media.hasPrefix("Side-"), "the second job's JobMedia: \(media)")
        let restore = try await system.restore("jobid=\(second)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        try await sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}
