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

    func expectRestored(_ system: BaculaSystem, jobId: Int, files: Int) async throws {
        let restore = try await system.restore("jobid=\(jobId)")
        #expect(restore.status == "T", "\(system.messages)\n\(system.storageLog)")
        #expect(restore.files == files)
        let diff = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory])
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000))")
    }

    @Test func copyOfUncopiedJobsRestoresFromTheCopy() async throws {
        let (system, consolidated) = try Self.system()
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 4 << 20)
        try await system.start()
        let full = try await system.backup()
        #expect(full.status == "T", "\(system.messages)")

        let control = try await system.queue("run job=CopyUncopied yes")
        let controlRow = try await system.wait(jobId: control)
        _ = try await system.console(["wait"], timeout: 300)
        #expect(controlRow.status == "T", "\(system.messages)\n\(system.storageLog)")
        let copies = try await system.sql("SELECT JobId, JobStatus, JobFiles, PriorJobId FROM Job WHERE Type='C'")
        let fields = copies.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        #expect(fields.count == 4 && fields[1] == "T" && fields[2] == "\(full.files)" && fields[3] == "\(full.jobId)",
            "copy jobs: \(copies)\n\(system.messages)")
        let copyId = try #require(Int(fields.first ?? ""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: consolidated).count == 1)

        // The original's volume is purged and gone: the copy alone restores.
        _ = try await system.console(["purge volume=Vol-0001 yes"])
        try removeVolumes(of: system)
        try await expectRestored(system, jobId: copyId, files: full.files)
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
        try await expectRestored(system, jobId: newId, files: full.files)
    }
}
