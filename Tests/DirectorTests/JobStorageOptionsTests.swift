import CapstanTestSupport
import Foundation
import Testing

@testable import Director

/// The Job directives capstan-dir sends to the Storage daemon in the job command: `Spool Size` (`SpoolSize=`),
/// which capstan-sd uses for that job's spool instead of the device's Maximum Job Spool Size (the ring itself:
/// `DataPathTests.aJobsSpoolSizeReplacesTheDevicesMaximumJobSpoolSize`), and `Prefer Mounted Volumes`
/// (`PreferMountedVols=`, the drive choice: `LibraryDriveChoiceTests`).
@Suite struct JobStorageOptionsTests {
    @Test func theJobsSpoolSizeIsTypedAndComesFromItsJobDefs() throws {
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            JobDefs { Name = Spooled; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard; Spool Data = yes; Spool Size = 3M }
            Job { Name = inherited; JobDefs = Spooled }
            Job { Name = own; JobDefs = Spooled; Spool Size = 2 GB }
            """)
        #expect(configuration.job("inherited")?.spoolSize == 3 << 20)
        #expect(configuration.job("own")?.spoolSize == 2_000_000_000)
        #expect(configuration.job("j")?.spoolSize == 0)
    }

    @Test func preferMountedVolumesIsTypedWithBaculasDefault() throws {
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            Job { Name = spread; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard; Prefer Mounted Volumes = no }
            """)
        #expect(configuration.job("spread")?.preferMountedVolumes == false)
        #expect(configuration.job("j")?.preferMountedVolumes == true)
    }

    /// 12 MiB through a 3 MiB job spool (the device's Maximum Job Spool Size is the default, far larger): capstan-sd
    /// names the job's Spool Size when it starts spooling, and the job restores byte-identical.
    @Test(arguments: [BaculaSystem.DirectorKind.capstan, .bacula])
    func aSpooledJobRunsWithinItsSpoolSizeAndRestores(director: BaculaSystem.DirectorKind) async throws {
        var options = BaculaSystem.Options()
        options.director = director
        options.job = "Spool Data = yes; Spool Size = 3M"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 12 << 20)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.report(jobId: backup.jobId))")
        #expect(
            system.messages.contains("Spooling data ... (this job's Spool Size: 3,145,728 bytes)"),
            "\(system.report(jobId: backup.jobId))")
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.report(jobId: restore.jobId))")
        try await DirectorBackupRestoreTests.sameTree(system.dataDirectory, system.restoredDataDirectory)
    }
}
