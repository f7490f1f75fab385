import CapstanTestSupport
import Foundation
import Testing

/// A real bacula-dir runs a VirtualFull on capstan-sd (issue 14): a Full, a Differential and an Accurate Incremental on one File
/// device, consolidated by the SD onto a second File device (the Pool's Next Pool); the restore of the VirtualFull
/// alone, with the source volumes gone, gives the latest state byte for byte, and Bacula's own tools read the volume.
@Suite(.serialized) struct VirtualFullTests {
    /// A system whose SystemPool has a Next Pool on a second File device of the same capstan-sd.
    static func consolidatingSystem() throws -> (BaculaSystem, consolidated: String) {
        let system = try BaculaSystem(storage: .capstan)
        system.options.job = "Accurate = yes"
        let consolidated = try system.addNextPoolOnFileDevice(
            device: "ConsolidatedDev", mediaType: "File", storage: "ConsolidatedStorage", pool: "ConsolidatedPool",
            labelFormat: "Full-")
        return (system, consolidated)
    }

    @Test func virtualFullOfAFullADifferentialAndAnIncrementalRestoresTheLatestState() async throws {
        let (system, consolidated) = try Self.consolidatingSystem()
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 4 << 20)
        try await system.start()

        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")
        let data = system.dataDirectory
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/sizes/file-4096.bin"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("appended after the full backup\n".utf8))
        try handle.close()
        try Data("a file added after the full backup\n".utf8).write(to: URL(fileURLWithPath: data + "/nested/added.txt"))
        let differential = try await system.backup(level: "Differential")
        #expect(differential.status == "T", "\(system.messages)")
        try Data("a file added after the differential\n".utf8).write(to: URL(fileURLWithPath: data + "/nested/later.txt"))
        try FileManager.default.removeItem(atPath: data + "/name with spaces.txt")
        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")

        let virtualFull = try await system.backup(level: "VirtualFull")
        #expect(virtualFull.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(system.messages.contains("Consolidating JobIds=\(full.jobId),\(differential.jobId),\(incremental.jobId)"),
            "\(system.messages)")
        // FileIndex runs 1...N over the new job (as with the real bacula-sd, checked: 41 rows, the Accurate deletion
        // marker stored by the Director as -41, the rest 1...40).
        let fileCount = try await system.sql(
            "SELECT COUNT(*), COUNT(DISTINCT ABS(FileIndex)), MAX(ABS(FileIndex)), SUM(FileIndex < 0) FROM File "
                + "WHERE JobId=\(virtualFull.jobId)")
        let counts = fileCount.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        #expect(counts.count == 4 && counts[0] == virtualFull.files && counts[1] == virtualFull.files
            && counts[2] == virtualFull.files, "File rows of the VirtualFull: \(fileCount)")
        let deletionMarkers = counts.count == 4 ? counts[3] : 0
        #expect(deletionMarkers == 1, "the Incremental's deleted file is carried as a deletion marker")
        let media = try await system.sql(
            "SELECT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId=\(virtualFull.jobId)")
        #expect(media.hasPrefix("Full-"), "JobMedia of the VirtualFull: \(media)")

        // Only the consolidated volume is left to read from.
        for volume in try system.volumes() { try FileManager.default.removeItem(atPath: volume) }
        let restore = try await system.restore("jobid=\(virtualFull.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(restore.files == virtualFull.files - deletionMarkers)
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", data, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
        #expect(!FileManager.default.fileExists(atPath: system.restoredDataDirectory + "/name with spaces.txt"))

        let volumes = try FileManager.default.contentsOfDirectory(atPath: consolidated).map { consolidated + "/" + $0 }
        #expect(volumes.count == 1)
        let volume = try #require(volumes.first)
        let bls = try await RealBaculaTools.bls(volume: volume, arguments: ["-j"])
        #expect(bls.output.contains("JobId=\(virtualFull.jobId)"), "\(bls.output)\n\(bls.errors)")
        #expect(!bls.output.contains("ERR="), "\(bls.output)")
        let extracted = try RealBacula.temporaryDirectory("capstan-vf-bextract")
        defer { try? FileManager.default.removeItem(atPath: extracted) }
        let bextract = try await RealBaculaTools.bextract(volume: volume, into: extracted)
        #expect(bextract.status == 0, "\(bextract.output)\n\(bextract.errors)")
        let extractedDiff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", data, extracted + data])
        #expect(extractedDiff.status == 0, "bextract: \(extractedDiff.output.prefix(2000))")
    }

    @Test func virtualFullReadsSourcesAcrossVolumesAndWritesAcrossVolumes() async throws {
        let (system, consolidated) = try Self.consolidatingSystem()
        system.options.pool += "\nMaximum Volume Bytes = 3M"
        system.options.directorResources = system.options.directorResources.replacingOccurrences(
            of: "Storage = ConsolidatedStorage\n", with: "Storage = ConsolidatedStorage; Maximum Volume Bytes = 5M\n")
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 8 << 20)
        try await system.start()

        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")
        let fullVolumes = try await system.sql("SELECT COUNT(DISTINCT MediaId) FROM JobMedia WHERE JobId=\(full.jobId)")
        #expect((Int(fullVolumes.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 2, "the Full did not span")
        try Data("added after the full backup\n".utf8).write(to: URL(fileURLWithPath: system.dataDirectory + "/added.txt"))
        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")

        let virtualFull = try await system.backup(level: "VirtualFull")
        #expect(virtualFull.status == "T", "\(system.messages)\n\(system.storageLog)")
        let written = try FileManager.default.contentsOfDirectory(atPath: consolidated)
        #expect(written.count >= 2, "the VirtualFull did not cross end of medium: \(written)")
        let volumes = try await system.sql("SELECT COUNT(DISTINCT MediaId) FROM JobMedia WHERE JobId=\(virtualFull.jobId)")
        #expect(volumes.trimmingCharacters(in: .whitespacesAndNewlines) == "\(written.count)")

        for volume in try system.volumes() { try FileManager.default.removeItem(atPath: volume) }
        let restore = try await system.restore("jobid=\(virtualFull.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(restore.files == virtualFull.files)
        let diff = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
    }

    /// The capture's set-up: one Autochanger of two File devices; the VirtualFull reads on one and writes on the other.
    @Test func virtualFullBetweenTwoDevicesOfOneAutochanger() async throws {
        let system = try BaculaSystem(storage: .capstan)
        let changerVolumes = system.directory + "/changer"
        try FileManager.default.createDirectory(atPath: changerVolumes, withIntermediateDirectories: true)
        let device = { (name: String) in
            """
            Device {
              Name = \(name); Media Type = CapFile; Archive Device = "\(changerVolumes)"; Device Type = File
              Autochanger = yes; LabelMedia = yes; Random Access = yes; AutomaticMount = yes; RemovableMedia = no
              AlwaysOpen = no; Maximum Concurrent Jobs = 1
            }
            """
        }
        system.options.storageResources = """
            Autochanger { Name = FileChgr; Device = Dev1, Dev2; Changer Command = ""; Changer Device = /dev/null }
            \(device("Dev1"))
            \(device("Dev2"))
            """
        system.options.directorResources = """
            Storage {
              Name = Chgr; Address = 127.0.0.1; SDPort = \(system.storagePort); Password = "sd-password"
              Device = FileChgr; Media Type = CapFile; Autochanger = yes; Maximum Concurrent Jobs = 10
            }
            Pool {
              Name = Main; Pool Type = Backup; Label Format = "Main-"; Recycle = no; AutoPrune = no
              Maximum Volume Jobs = 1; Next Pool = Copies; Storage = Chgr
            }
            Pool {
              Name = Copies; Pool Type = Backup; Label Format = "Copy-"; Recycle = no; AutoPrune = no; Storage = Chgr
            }
            Job {
              Name = ChgrBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet; Storage = Chgr
              Pool = Main; Messages = Standard; Accurate = yes
            }

            """
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 2 << 20)
        try await system.start()
        let full = try await system.backup(job: "ChgrBackup")
        #expect(full.status == "T", "\(system.messages)\n\(system.storageLog)")
        try Data("added after the full backup\n".utf8).write(to: URL(fileURLWithPath: system.dataDirectory + "/added.txt"))
        let incremental = try await system.backup(level: "Incremental", job: "ChgrBackup")
        #expect(incremental.status == "T", "\(system.messages)")
        let virtualFull = try await system.backup(level: "VirtualFull", job: "ChgrBackup")
        #expect(virtualFull.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(virtualFull.files == full.files + 1)
        #expect(system.messages.contains("Using Device \"Dev1\" to read") || system.messages.contains("Using Device \"Dev2\" to read"),
            "\(system.messages)")

        for name in try FileManager.default.contentsOfDirectory(atPath: changerVolumes) where name.hasPrefix("Main-") {
            try FileManager.default.removeItem(atPath: changerVolumes + "/" + name)
        }
        let restore = try await system.restore("jobid=\(virtualFull.jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        let diff = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
    }

    /// A VirtualFull canceled while it copies ends canceled, its session closed on the new volume, and the daemon
    /// runs the next job. The new volume is a virtual tape written at 40 MB/s, so the copy of 400 MB is caught
    /// mid-way (onto a File device it took under a second and could end before the cancel reached it).
    @Test func aCanceledVirtualFullEndsCanceledAndTheNextJobRuns() async throws {
        let system = try BaculaSystem(storage: .capstan)
        system.options.job = "Accurate = yes"
        let tape = try system.addNextPoolOnVirtualTape(
            device: "ConsolidatedDrive", mediaType: "VTape", storage: "ConsolidatedStorage", pool: "ConsolidatedPool",
            labelFormat: "Full-", rate: "40 MB/s")
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 384 << 20)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")
        try Data("added after the full backup\n".utf8).write(to: URL(fileURLWithPath: system.dataDirectory + "/added.txt"))
        let incremental = try await system.backup(level: "Incremental")
        #expect(incremental.status == "T", "\(system.messages)")

        let jobId = try await system.queue("run job=SystemBackup level=VirtualFull yes")
        let copying = await RealBacula.eventually(seconds: 120) {
            ((try? FileManager.default.attributesOfItem(atPath: tape))?[.size] as? NSNumber)?.intValue ?? 0 > 16 << 20
        }
        #expect(copying, "the VirtualFull wrote nothing: \(system.storageLog)")
        _ = try await system.console(["cancel jobid=\(jobId) yes"])
        let canceled = try await system.wait(jobId: jobId, timeout: 120)
        #expect(canceled.status == "A", "\(canceled)\n\(system.messages)")
        // bacula-dir records the cancel without waiting for the SD; the SD ends the job once the drive has written
        // the session's EOS label (the third job to end here, after the Full and the Incremental)
        let ended = await RealBacula.eventually(seconds: 120) {
            system.storageLog.components(separatedBy: "[StorageDaemon] job ended").count - 1 >= 3
        }
        #expect(ended, "\(system.storageLog.suffix(3000))")

        // The tape reads cleanly, the canceled job's session closed by its EOS label.
        let listing = try await Programs.run("capstan", ["ls", "--json", tape])
        #expect(listing.status == 0, "\(listing.output.prefix(3000))")
        let volumes = try JSONDecoder().decode([Listing].self, from: Data(listing.output.utf8))
        #expect(volumes.count == 1 && volumes.allSatisfy(\.damagedBlocks.isEmpty), "\(listing.output.prefix(3000))")
        let session = try #require(volumes.flatMap(\.sessions).first { $0.jobId == jobId }, "\(listing.output.prefix(3000))")
        #expect(session.end != nil, "the canceled session has no EOS label: \(listing.output.prefix(3000))")

        try FileManager.default.removeItem(atPath: system.dataDirectory + "/big.bin")
        let next = try await system.backup(level: "Incremental")
        #expect(next.status == "T", "\(system.messages)\n\(system.storageLog)")
    }
}

/// What the test reads of `capstan ls --json`.
private struct Listing: Decodable {
    struct Session: Decodable {
        var jobId: Int
        var end: String?
    }
    var sessions: [Session]
    var damagedBlocks: [String]
}
