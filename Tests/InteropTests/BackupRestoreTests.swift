import CapstanTestSupport
import Foundation
import Testing

/// A real bacula-dir and bacula-fd back up to capstan-sd and restore from it (issue #5 acceptance).
@Suite(.serialized) struct BackupRestoreTests {
    /// The big file of the data set: 1 GiB unless CAPSTAN_BIG_FILE_MB says otherwise (for quick local runs).
    static let bigFileBytes = (Int(ProcessInfo.processInfo.environment["CAPSTAN_BIG_FILE_MB"] ?? "") ?? 1024) << 20

    func sameTree(_ original: String, _ restored: String) async throws {
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", original, restored], timeout: 900)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000)) \(diff.errors.prefix(500))")
        let before = try await DataSet.listing(of: original)
        let after = try await DataSet.listing(of: restored)
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
    }
}
