import CapstanTestSupport
import Foundation
import Testing

/// Full disks under capstan-sd with the real bacula-dir and bacula-fd (docs/faults.md): each test mounts a small
/// ext4 image of its own (needs root) where the daemon writes.
@Suite(.serialized) struct DiskFullTests {
    /// Writes `megabytes` of data that does not repeat within a block to `path`.
    static func writeFile(_ path: String, megabytes: Int, seed: UInt8) throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(seed + 1)
        for index in chunk.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            chunk[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for megabyte in 0..<megabytes {
            chunk[0] = UInt8(truncatingIfNeeded: megabyte)
            chunk[1] = UInt8(truncatingIfNeeded: megabyte >> 8)
            try handle.write(contentsOf: Data(chunk))
        }
        try handle.close()
    }

    /// Spool Directory on a 64 MiB filesystem (about 51 MiB free), Maximum Spool Size far above it: two spooled
    /// jobs of about 62 MiB each at once fill the spool disk; each despools what it has, its spool file is truncated,
    /// and when the other job's file still holds the space it waits until that one gives space back. Both jobs
    /// complete (each larger than the whole spool disk) and restore byte-identically; nothing is left in the spool.
    @Test func spoolDiskFullMakesJobsWaitForDespooling() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        // no spool memory: every spooled block goes through the spool file (else the File device's despooler,
        // keeping up, would pass the blocks through memory and the spool disk would never fill)
        options.device = "Maximum Spool Size = 1G; Maximum Job Spool Size = 1G; Spool Memory Size = 0"
        let system = try BaculaSystem(storage: .capstan, options: options)
        let spool = system.directory + "/spool"
        let disk = try LoopFilesystem(megabytes: 64, mountedOn: spool)
        defer { disk.unmount() }
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 48 << 20)  // about 62 MiB a job
        try await system.start()

        let jobs = [
            try await system.queue("run job=SystemBackup spooldata=yes yes"),
            try await system.queue("run job=SystemBackup spooldata=yes yes"),
        ]
        for jobId in jobs {
            let row = try await system.wait(jobId: jobId)
            #expect(row.status == "T", "\(system.report(jobId: jobId))")
            #expect(row.bytes > Int(64 << 20) - (8 << 20), "\(row)")
        }
        #expect(system.messages.contains("Spool disk was full"), "the spool disk never filled: \(system.messages.suffix(3000))")
        let left = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".spool") }
        #expect(left.isEmpty, "spool files left: \(left)")
        for jobId in jobs { try await CrashRecoveryTests.restoresByteIdentical(system, jobId: jobId) }
        for process in system.processes { process.stop() }
    }

    /// Archive Device on a 64 MiB filesystem. A first job fits; a second, larger than the space left, fills the
    /// disk: its volume is marked Full in the catalog, the Director's next volume (Label Format) is labelled on the
    /// same full disk, has no room for a block, and the job fails with a clear message (as with Bacula: the next
    /// volume of a File device is on the same disk). The first job still restores byte-identically, and the volume
    /// it is on reads without a damaged block.
    @Test func fileDeviceDiskFullMarksTheVolumeFullAndFailsCleanly() async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        let system = try BaculaSystem(storage: .capstan, options: options)
        let disk = try LoopFilesystem(megabytes: 64, mountedOn: system.volumeDirectory)
        defer { disk.unmount() }
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()

        let first = try await system.backup()
        #expect(first.status == "T", "\(system.messages)\n\(system.storageLog)")
        let free = disk.freeBytes
        let extra = system.dataDirectory + "/more.bin"
        try Self.writeFile(extra, megabytes: Int(free >> 20) + 8, seed: 1)

        let second = try await system.backup()
        #expect(second.status != "T", "a job larger than the disk completed: \(second)")
        let media = try await system.sql("SELECT VolumeName, VolStatus FROM Media ORDER BY MediaId")
        #expect(media.hasPrefix("Vol-0001|Full"), "\(media)")
        #expect(system.messages.contains("End of medium on Volume \"Vol-0001\""), "\(system.messages.suffix(3000))")
        #expect(system.messages.contains("does not fit"), "no clear reason: \(system.messages.suffix(3000))")
        #expect(disk.freeBytes < 2 << 20, "the disk was not full: \(disk.freeBytes)")
        let listing = try await Programs.run("capstan", ["ls", "--json", system.volumeDirectory + "/Vol-0001"])
        #expect(listing.status == 0 && listing.output.contains("\"damagedBlocks\" : [\n\n    ]"), "\(listing.output.prefix(2000))")

        try FileManager.default.removeItem(atPath: extra)
        try await CrashRecoveryTests.restoresByteIdentical(system, jobId: first.jobId)
        for process in system.processes { process.stop() }
    }
}
