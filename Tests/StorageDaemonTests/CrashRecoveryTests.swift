import CapstanTestSupport
import Foundation
import Testing

/// capstan-sd killed with SIGKILL in the middle of a backup and started again, with the real bacula-dir and
/// bacula-fd (docs/faults.md): the volume is recovered to its last complete block, the interrupted job ends in
/// error in the Director's catalog, the next job appends to the same volume, and what completed before the kill
/// restores byte-identically.
@Suite(.serialized) struct CrashRecoveryTests {
    /// A second backup Job, like SystemBackup but throttled by the FD, so the kill lands in its middle.
    static func slowJob(spool: Bool) -> String {
        """
        Job {
          Name = SlowBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
          Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Priority = 10
          Maximum Bandwidth = 6 mb/s; Spool Data = \(spool ? "yes" : "no")
        }
        """
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Appends `bytes` to `path` (what a write cut short by a power cut leaves at the end).
    static func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// Restores `jobId` into its own directory and compares it with the data set.
    static func restoresByteIdentical(_ system: BaculaSystem, jobId: Int) async throws {
        let target = system.restoreDirectory + "/job-\(jobId)"
        let restore = try await system.restore("jobid=\(jobId)", into: target)
        #expect(restore.status == "T", "restore of JobId \(jobId): \(system.messages.suffix(3000))\n\(system.storageLog.suffix(2000))")
        try await BackupRestoreComparison.sameTree(system.dataDirectory, target + system.dataDirectory)
    }

    /// File device. Unspooled: the kill leaves the dead job's blocks on the volume, and the test adds a torn half
    /// block after them (what a power cut in the middle of a write leaves; SIGKILL alone rarely tears one, the
    /// kernel finishes a write it began). Spooled: the dead job's data is only in its spool file, which the restarted
    /// daemon removes. Either way the next job appends to the volume and every finished job restores.
    @Test(arguments: [false, true])
    func killedMidBackupOnAFileDeviceRecoversAndAppends(spooled: Bool) async throws {
        var options = BaculaSystem.Options()
        options.pool = "Maximum Volume Jobs = 0"
        options.directorResources = Self.slowJob(spool: spooled)
        // spooled: no spool memory, so the dead job's blocks are in its spool file (with it, a drive that keeps up
        // takes them from memory and the file stays empty)
        if spooled { options.device = "Spool Memory Size = 0" }
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 40 << 20)
        try await system.start()

        let first = try await system.backup()
        #expect(first.status == "T", "\(system.messages)\n\(system.storageLog)")
        let volume = try #require(try system.volumes().first)
        let afterFirst = Self.size(volume)
        let spoolDirectory = system.directory + "/spool"
        let spoolBytes: @Sendable () -> Int = {
            ((try? FileManager.default.contentsOfDirectory(atPath: spoolDirectory)) ?? [])
                .filter { $0.hasSuffix(".spool") }.reduce(0) { $0 + Self.size(spoolDirectory + "/" + $1) }
        }

        let slow = try await system.queue("run job=SlowBackup yes")
        // SIGKILL from a thread the moment 8 MiB are down (see `RealBacula.whenTrue`: a late kill once found the job
        // already finished, under a full test run's load).
        let storage = system.storageProcessID
        let midway = await RealBacula.whenTrue(seconds: 120) {
            spooled ? spoolBytes() > 8 << 20 : Self.size(volume) > afterFirst + (8 << 20)
        } run: {
            kill(storage, SIGKILL)
        }
        #expect(midway, "the slow job wrote nothing: \(system.storageLog.suffix(2000))")
        system.killStorage()
        let killedAt = Self.size(volume)
        if spooled {
            #expect(spoolBytes() > 0, "no spool file left behind to clean up")
        } else {
            // a torn block: the first 4 KiB of block 1 (its header promises more bytes than follow)
            let start = try FileHandle(forReadingFrom: URL(fileURLWithPath: volume))
            let label = try #require(try start.read(upToCount: 8))
            let labelLength = label.suffix(4).reduce(0) { $0 << 8 | UInt64($1) }
            try start.seek(toOffset: labelLength)
            let head = try #require(try start.read(upToCount: 4096))
            try start.close()
            #expect(head.count == 4096 && head.dropFirst(12).prefix(4) == Data("BB02".utf8))
            try Self.append([UInt8](head), to: volume)
        }

        // bacula-dir keeps trying to reach the Storage daemon for the dead job (SD Connect Timeout); it ends the job
        // once the daemon is back, as a service manager would restart it
        try await system.restartStorage()
        let dead = try await system.wait(jobId: slow, timeout: 180)
        #expect(["E", "f"].contains(dead.status), "the interrupted job did not end in error: \(dead)")
        if spooled {
            let cleaned = await RealBacula.eventually(seconds: 30) { system.storageLog.contains("removed stale spool file") }
            #expect(cleaned, "\(system.storageLog)")
            #expect(spoolBytes() == 0, "stale spool files remain")
        }

        let next = try await system.backup()
        #expect(next.status == "T", "\(system.messages.suffix(3000))\n\(system.storageLog)")
        let volumesNow = try system.volumes()
        #expect(volumesNow == [volume], "the next job did not append to \(volume): \(volumesNow)")
        if !spooled {
            #expect(system.storageLog.contains("recovered to its last complete block"), "\(system.storageLog)")
            #expect(system.storageLog.contains("truncated from \(killedAt + 4096) to"), "\(system.storageLog)")
            #expect(system.messages.contains("the sizes do not match!"), "\(system.messages.suffix(3000))")
        }
        // The catalog agrees with the volume: VolBytes is the file's size, the next job's JobMedia starts after the
        // dead job's blocks.
        let volBytes = try await system.sql("SELECT VolBytes, VolStatus FROM Media")
        #expect(volBytes.trimmingCharacters(in: .whitespacesAndNewlines) == "\(Self.size(volume))|Append", "\(volBytes)")
        let start = try await system.sql("SELECT MIN(StartBlock) FROM JobMedia WHERE JobId=\(next.jobId)")
        #expect((Int(start.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= afterFirst, "\(start)")
        let listing = try await Programs.run("capstan", ["ls", "--json", volume])
        #expect(listing.status == 0 && listing.output.contains("\"damagedBlocks\" : [\n\n    ]"), "\(listing.output.prefix(2000))")

        try await Self.restoresByteIdentical(system, jobId: first.jobId)
        try await Self.restoresByteIdentical(system, jobId: next.jobId)
    }

    /// Virtual tape in the virtual library, unspooled: the kill leaves the dead job's records in an unterminated
    /// tape file, and the test adds a torn record after them. On the next mount the torn record is cut, the open
    /// tape file is closed with a filemark, the tape is at end of data and the next job appends to the same
    /// cartridge; the first and the next job restore.
    @Test func killedMidBackupOnAVirtualTapeRecoversAndAppends() async throws {
        var options = BaculaSystem.Options()
        options.tapeLibraryCapacity = 0
        options.pool = "Maximum Volume Jobs = 0"
        options.directorResources = Self.slowJob(spool: false)
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 40 << 20)
        try await system.start()

        let first = try await system.backup()
        #expect(first.status == "T", "\(system.messages)\n\(system.storageLog)")
        let tape = system.directory + "/library/drive-0.vtape"
        let afterFirst = Self.size(tape)
        #expect(afterFirst > 40 << 20)

        let slow = try await system.queue("run job=SlowBackup yes")
        let storage = system.storageProcessID
        let midway = await RealBacula.whenTrue(seconds: 120) { Self.size(tape) > afterFirst + (8 << 20) } run: {
            kill(storage, SIGKILL)
        }
        #expect(midway, "the slow job wrote nothing: \(system.storageLog.suffix(2000))")
        system.killStorage()
        let killedAt = Self.size(tape)
        // a torn record: its length says 64 KiB, 100 bytes follow
        try Self.append([0, 0, 1, 0] + [UInt8](repeating: 0x5A, count: 100), to: tape)

        try await system.restartStorage()
        let dead = try await system.wait(jobId: slow, timeout: 180)
        #expect(["E", "f"].contains(dead.status), "the interrupted job did not end in error: \(dead)")
        let next = try await system.backup()
        #expect(next.status == "T", "\(system.messages.suffix(3000))\n\(system.storageLog)")
        let media = try await system.sql("SELECT VolumeName, VolStatus FROM Media")
        #expect(media.trimmingCharacters(in: .whitespacesAndNewlines) == "Vol-0001|Append", "\(media)")
        #expect(system.storageLog.contains("recovered to its last complete block"), "\(system.storageLog)")
        #expect(system.storageLog.contains("cut from \(killedAt + 104) to"), "\(system.storageLog)")
        #expect(system.storageLog.contains("closed with a filemark"), "\(system.storageLog)")
        // the next job starts in a tape file after the dead job's (closed) one
        let files = try await system.sql(
            "SELECT (SELECT MAX(EndFile) FROM JobMedia WHERE JobId=\(first.jobId)), MIN(StartFile) FROM JobMedia WHERE JobId=\(next.jobId)")
        let pair = files.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        #expect(pair.count == 2 && pair[1] >= pair[0] + 2, "first job ends in file, next starts in file: \(files)")

        try await Self.restoresByteIdentical(system, jobId: first.jobId)
        try await Self.restoresByteIdentical(system, jobId: next.jobId)
    }
}

/// `diff -r` and the stat listings of two trees agree (directory times left out: a restore writes into them).
enum BackupRestoreComparison {
    static func sameTree(_ original: String, _ restored: String) async throws {
        let diff = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", original, restored], timeout: 600)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000)) \(diff.errors.prefix(500))")
        let before = try await DataSet.listing(of: original, directoryTimes: false)
        let after = try await DataSet.listing(of: restored, directoryTimes: false)
        #expect(before == after, "stat listings differ: \(Set(before).symmetricDifference(after).sorted().prefix(20))")
    }
}
