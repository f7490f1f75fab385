import CapstanTestSupport
import Foundation
import Testing

/// A drive that fails a write, with the real bacula-dir and bacula-fd (docs/faults.md): the virtual tape of the
/// virtual library has the Capstan test directive `Fail Write At Block = 24`, so the write of a cartridge's record
/// 24 fails with EIO once.
@Suite(.serialized) struct DriveWriteFaultTests {
    /// A first job fits below record 24 of Vol-0001; a second, larger job appends and meets the failing write: the
    /// volume is marked Error in the catalog (with a message naming the error), the job goes on on Vol-0002 (the
    /// Director's next volume, Label Format) and completes. Both jobs restore byte-identically — the first from the
    /// volume now in Error (what was acknowledged before the fault), the second across the two volumes.
    @Test func aWriteErrorMarksTheVolumeInErrorAndTheJobGoesOnOnTheNextVolume() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        options.pool = "Maximum Volume Jobs = 0"
        options.device = "Fail Write At Block = 24"
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)  // about 15 MiB: 15 blocks of 1 MiB
        try await system.start()

        let first = try await system.backup()
        #expect(first.status == "T", "\(system.messages)\n\(system.storageLog)")
        let extra = system.dataDirectory + "/more.bin"
        try DiskFullTests.writeFile(extra, megabytes: 24, seed: 2)
        let second = try await system.backup()
        #expect(second.status == "T", "\(system.messages.suffix(3000))\n\(system.storageLog.suffix(3000))")

        let media = try await system.sql("SELECT VolumeName, VolStatus FROM Media ORDER BY MediaId")
        #expect(media.trimmingCharacters(in: .whitespacesAndNewlines) == "Vol-0001|Error\nVol-0002|Append", "\(media)")
        #expect(system.messages.contains("Write error on Volume \"Vol-0001\""), "\(system.messages.suffix(3000))")
        #expect(system.messages.contains("Input/output error"), "\(system.messages.suffix(3000))")
        let volumes = try await system.sql(
            "SELECT COUNT(DISTINCT MediaId) FROM JobMedia WHERE JobId=\(second.jobId)")
        #expect(volumes.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(volumes)")

        try await CrashRecoveryTests.restoresByteIdentical(system, jobId: second.jobId)
        try FileManager.default.removeItem(atPath: extra)
        try await CrashRecoveryTests.restoresByteIdentical(system, jobId: first.jobId)
    }
}
