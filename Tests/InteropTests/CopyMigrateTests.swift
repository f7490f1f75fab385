import CapstanTestSupport
import Foundation
import Testing

/// A real bacula-dir runs Copy and Migrate jobs on capstan-sd (issue 14): the read job serves its records to the
/// write job's SD connection (capstan-sd connecting to itself), the write job appends them to the Next Pool's device,
/// and the copy or the migrated job restores byte for byte with the original volume gone.
@Suite(.serialized) struct CopyMigrateTests {
    static func system() throws -> (BaculaSystem, consolidated: String) {
        let (system, consolidated) = try VirtualFullTests.consolidatingSystem()
        system.options.job = ""
        system.options.directorResources += """

            Job {
              Name = CopyUncopied; Type = Copy; Selection Type = PoolUncopiedJobs; Pool = SystemPool
              Client = system-fd; FileSet = SystemSet; Messages = Standard; Storage = SystemStorage
            }
            Job {
              Name = MigrateOne; Type = Migrate; Selection Type = Job; Selection Pattern = "SystemBackup"
              Pool = SystemPool; Client = system-fd; FileSet = SystemSet; Messages = Standard; Storage = SystemStorage
            }
            """
        return (system, consolidated)
    }

    func removeVolumes(of system: BaculaSystem) throws {
        for volume in try system.volumes() { try FileManager.default.removeItem(atPath: volume) }
    }

    func expectRestored(_ system: BaculaSystem, jobId: String, files: Int) async throws {
        let restore = try await system.restore("jobid=\(jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(restore.files == files)
        let diff = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
    }

    @Test func copyOfUncopiedJobsAcrossEndOfMediumRestoresFromTheCopies() async throws {
        let (system, consolidated) = try Self.system()
        // The copies' volumes hold 3 MB: the Full's copy crosses end of medium.
        system.options.directorResources = system.options.directorResources.replacingOccurrences(
            of: "Storage = ConsolidatedStorage\n", with: "Storage = ConsolidatedStorage; Maximum Volume Bytes = 3M\n")
        system.options.pool += "\nMaximum Volume Jobs = 0"
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 6 << 20)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")
        try Data("added after the full backup\n".utf8).write(to: URL(fileURLWithPath: system.dataDirectory + "/added.txt"))
        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")

        let control = try await system.queue("run job=CopyUncopied yes")
        let controlRow = try await system.wait(jobId: control)
        _ = try await system.console(["wait"], timeout: 300)
        #expect(controlRow.status == "T", "\(system.messages)\n\(system.storageLog)")
        let copies = try await system.sql(
            "SELECT JobId, JobStatus, JobFiles, PriorJobId FROM Job WHERE Type='C' ORDER BY PriorJobId")
        let rows = copies.split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        #expect(rows.count == 2 && rows.allSatisfy { $0.count == 4 && $0[1] == "T" }, "copies: \(copies)\n\(system.messages)")
        #expect(rows.map { $0.count == 4 ? $0[3] : "" } == ["\(full.jobId)", "\(incremental.jobId)"])
        #expect(rows.map { $0.count == 4 ? $0[2] : "" } == ["\(full.files)", "\(incremental.files)"])
        let copyIds = rows.compactMap { Int($0.first ?? "") }
        let written = try FileManager.default.contentsOfDirectory(atPath: consolidated)
        #expect(written.count >= 2, "the copy did not cross end of medium: \(written)")
        // Both jobs of each copy ran in this capstan-sd: linked in memory, not through a loopback socket.
        #expect(system.storageLog.components(separatedBy: "linked in memory to read job").count == 3, "\(system.storageLog)")

        // The read jobs reported the source volume they read (UpdateMedia with the read time, as bacula-sd does).
        let readTime = try await system.sql("SELECT VolReadTime FROM Media WHERE VolumeName='Vol-0001'")
        #expect((Int(readTime.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "VolReadTime \(readTime)")

        // The originals' volume is purged and gone: the copies alone restore the latest state.
        _ = try await system.console(["purge volume=Vol-0001 yes"])
        try removeVolumes(of: system)
        try await expectRestored(
            system, jobId: copyIds.map(String.init).joined(separator: ","), files: full.files + 1)

        let bls = try await RealBaculaTools.bls(volume: consolidated + "/" + (written.sorted().first ?? ""), arguments: ["-j"])
        #expect(bls.output.contains("JobId=\(copyIds.first ?? 0)"), "\(bls.output)\n\(bls.errors)")
        #expect(!bls.output.contains("ERR="), "\(bls.output)")
    }

    @Test func migrateOfOneJobMarksItMigratedAndRestoresFromTheNewVolume() async throws {
        let (system, consolidated) = try Self.system()
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 4 << 20)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")

        let control = try await system.queue("run job=MigrateOne jobid=\(full.jobId) yes")
        let controlRow = try await system.wait(jobId: control)
        _ = try await system.console(["wait"], timeout: 300)
        #expect(controlRow.status == "T", "\(system.messages)\n\(system.storageLog)")
        let original = try await system.sql("SELECT Type FROM Job WHERE JobId=\(full.jobId)")
        #expect(original.trimmingCharacters(in: .whitespacesAndNewlines) == "M", "original job: \(original)")
        let migrated = try await system.sql(
            "SELECT JobId FROM Job WHERE Type='B' AND PriorJobId=\(full.jobId) AND JobStatus='T'")
        let newId = try #require(Int(migrated.trimmingCharacters(in: .whitespacesAndNewlines)), "\(system.messages)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: consolidated).count == 1)

        try removeVolumes(of: system)
        try await expectRestored(system, jobId: "\(newId)", files: full.files)
    }

    /// The appliance's D2D2T: a job on a File device copied onto a virtual tape library (a cartridge labelled on
    /// demand), while an ordinary backup runs to the File device; both restore, the copy with the disk volumes gone.
    /// The D2D2T case: a Copy job with Selection Type = PoolUncopiedJobs copies a Full and an Incremental from
    /// the File device's pool onto a virtual tape library's pool while another backup runs to the File device; with
    /// the originals' volumes purged and deleted, the copies alone restore the latest state byte for byte.
    @Test func copyOfUncopiedJobsFromAFileDeviceToAVirtualTapeLibraryWhileABackupRuns() async throws {
        let system = try BaculaSystem(storage: .capstan)
        let library = system.directory + "/library"
        try FileManager.default.createDirectory(atPath: library, withIntermediateDirectories: true)
        system.options.pool = "Next Pool = TapePool"
        system.options.storageResources = """
            Autochanger {
              Name = TapeLibrary; Device = TapeDrive-0
              Changer Device = "virtual:\(library)?slots=8&cartridges=0"; Changer Command = ""
            }
            Device {
              Name = TapeDrive-0; Media Type = LTO; Device Type = VTape; Archive Device = "\(library)/drive-0.vtape"
              Autochanger = yes; Drive Index = 0; LabelMedia = yes; Random Access = no; Removable Media = yes
              AutomaticMount = yes; AlwaysOpen = yes; Maximum Block Size = 1048576
            }
            """
        system.options.directorResources = """
            Storage {
              Name = TapeStorage; Address = 127.0.0.1; SDPort = \(system.storagePort); Password = "sd-password"
              Device = TapeLibrary; Media Type = LTO; Autochanger = yes; Maximum Concurrent Jobs = 10
            }
            Pool {
              Name = TapePool; Pool Type = Backup; Label Format = "Tape-"; Recycle = no; AutoPrune = no
              Storage = TapeStorage
            }
            Pool {
              Name = SidePool; Pool Type = Backup; Label Format = "Side-"; Recycle = no; AutoPrune = no
              Storage = SystemStorage
            }
            Job {
              Name = CopyToTape; Type = Copy; Selection Type = PoolUncopiedJobs
              Pool = SystemPool; Client = system-fd; FileSet = SystemSet; Messages = Standard; Storage = SystemStorage
            }
            """
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 16 << 20)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")
        try Data("added after the full backup\n".utf8).write(to: URL(fileURLWithPath: system.dataDirectory + "/added.txt"))
        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")

        // The backup beside the copy goes to a pool of its own, so the copy's selection cannot take it.
        let control = try await system.queue("run job=CopyToTape yes")
        let concurrent = try await system.queue("run job=SystemBackup level=Full pool=SidePool yes")
        let controlRow = try await system.wait(jobId: control)
        let concurrentRow = try await system.wait(jobId: concurrent)
        _ = try await system.console(["wait"], timeout: 300)
        #expect(controlRow.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(concurrentRow.status == "T", "\(system.messages)\n\(system.storageLog)")
        let copies = try await system.sql(
            "SELECT JobId, JobStatus, PriorJobId FROM Job WHERE Type='C' ORDER BY PriorJobId")
        let rows = copies.split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        #expect(rows.count == 2 && rows.allSatisfy { $0.count == 3 && $0[1] == "T" }, "copies: \(copies)\n\(system.messages)")
        #expect(rows.map { $0.count == 3 ? $0[2] : "" } == ["\(full.jobId)", "\(incremental.jobId)"])
        let copyIds = rows.compactMap { Int($0.first ?? "") }
        for copyId in copyIds {
            let tapeMedia = try await system.sql(
                "SELECT DISTINCT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId=\(copyId)")
            #expect(tapeMedia.hasPrefix("Tape-"), "copy \(copyId)'s JobMedia: \(tapeMedia)")
        }

        let elsewhere = system.directory + "/restore-concurrent"
        let restoreConcurrent = try await system.restore("jobid=\(concurrent)", into: elsewhere)
        #expect(restoreConcurrent.status == "T", "\(system.messages)")
        let diffConcurrent = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, elsewhere + system.dataDirectory])
        #expect(diffConcurrent.status == 0, "diff -r: \(diffConcurrent.output.prefix(2000))")

        // The originals' volumes purged and gone: the copies on the cartridge alone restore the latest state.
        let originals = try await system.sql(
            "SELECT DISTINCT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId IN (\(full.jobId), \(incremental.jobId))")
        let originalVolumes = originals.split(separator: "\n").map(String.init)
        #expect(!originalVolumes.isEmpty && originalVolumes.allSatisfy { $0.hasPrefix("Vol-") }, "\(originals)")
        for volume in originalVolumes { _ = try await system.console(["purge volume=\(volume) yes"]) }
        try removeVolumes(of: system)
        try await expectRestored(system, jobId: copyIds.map(String.init).joined(separator: ","), files: full.files + 1)
    }

    /// Bringing a job back to disk: a backup on a virtual tape library migrated to a File device, restored from it
    /// with the cartridges gone. The SD-to-SD link goes through a loopback socket here (`--peer-link tcp`), as it
    /// does to another Storage daemon; the other tests link the two jobs in memory.
    @Test func migrateFromAVirtualTapeLibraryToAFileDevice() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        options.storageArguments = ["--peer-link", "tcp"]
        let system = try BaculaSystem(storage: .capstan, options: options)
        let disk = try system.addNextPoolOnFileDevice(
            device: "DiskDev", mediaType: "Disk", storage: "DiskStorage", pool: "DiskPool", labelFormat: "Disk-")
        system.options.directorResources += """

            Job {
              Name = BackToDisk; Type = Migrate; Selection Type = Job; Selection Pattern = "SystemBackup"
              Pool = SystemPool; Client = system-fd; FileSet = SystemSet; Messages = Standard; Storage = SystemStorage
            }
            """
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 8 << 20)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)\n\(system.storageLog)")

        let control = try await system.queue("run job=BackToDisk jobid=\(full.jobId) yes")
        let controlRow = try await system.wait(jobId: control)
        _ = try await system.console(["wait"], timeout: 300)
        #expect(controlRow.status == "T", "\(system.messages)\n\(system.storageLog)")
        let migrated = try await system.sql(
            "SELECT JobId FROM Job WHERE Type='B' AND PriorJobId=\(full.jobId) AND JobStatus='T'")
        let newId = try #require(Int(migrated.trimmingCharacters(in: .whitespacesAndNewlines)), "\(system.messages)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).count == 1)
        #expect(system.storageLog.contains("connected to the peer Storage daemon for read job"), "\(system.storageLog)")
        #expect(!system.storageLog.contains("linked in memory"), "\(system.storageLog)")

        try FileManager.default.removeItem(atPath: system.directory + "/library")
        try await expectRestored(system, jobId: "\(newId)", files: full.files)
    }
}
