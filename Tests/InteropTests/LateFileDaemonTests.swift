import CapstanTestSupport
import Foundation
import Testing

/// A job whose File daemon arrives late must not write over what another job wrote meanwhile (found by
/// HostileRecordStreamTests in a CI run: 40 MB of an acknowledged backup lost). The real bacula-dir reserves the
/// pool's appendable volume for the late job while the first job is writing it; when the late job's File daemon
/// finally connects, that volume has been written and used up (Maximum Volume Jobs = 1). capstan-sd must ask the
/// Director for the volume's record as it is now (`GetVolInfo write=1`) and take another volume, not label the
/// written one afresh from the record it got at reservation time.
@Suite struct LateFileDaemonTests {
    @Test func aLateJobTakesAnotherVolumeAndTheFirstJobStaysRestorable() async throws {
        let root = FileManager.default.temporaryDirectory.path + "/capstan-late-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let flag = root + "/go"
        var options = BaculaSystem.Options()
        // The late job's File daemon waits for the flag before the Director sends it the Storage address.
        options.directorResources = """
            Job {
              Name = LateBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Priority = 10
              Maximum Concurrent Jobs = 10; Allow Duplicate Jobs = yes
              Client Run Before Job = "/bin/sh -c 'while [ ! -e \(flag) ]; do sleep 0.1; done'"
            }
            """
        options.job = "Maximum Bandwidth = 4 mb/s"  // the first job is still writing when the late one reserves
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 8 << 20)
        try await system.start()

        let first = try await system.queue("run job=SystemBackup yes")
        let flowing = await RealBacula.eventually(seconds: 120) {
            ((try? system.volumes()) ?? []).contains { Self.size($0) > 1 << 20 }
        }
        #expect(flowing, "the first job wrote nothing: \(system.storageLog.suffix(3000))")
        let late = try await system.queue("run job=LateBackup yes")
        // The late job has its device and volume reserved (the SD has it registered) while the first one writes.
        let reserved = await RealBacula.eventually(seconds: 60) {
            system.storageLog.split(separator: "\n").contains { $0.contains("LateBackup") && $0.contains("device reserved") }
        }
        #expect(reserved, "\(system.storageLog.suffix(3000))")
        let firstRow = try await system.wait(jobId: first, timeout: 300)
        #expect(firstRow.status == "T", "\(system.messages.suffix(3000))")
        let written = try system.volumes().map(Self.size).max() ?? 0

        FileManager.default.createFile(atPath: flag, contents: Data())
        let lateRow = try await system.wait(jobId: late, timeout: 300)
        #expect(lateRow.status == "T", "\(system.messages.suffix(3000))\n\(system.storageLog.suffix(3000))")
        let volumes = try await system.sql(
            "SELECT VolumeName FROM Media JOIN JobMedia USING (MediaId) WHERE JobId IN (\(first), \(late)) ORDER BY JobId")
            .split(separator: "\n").map(String.init)
        #expect(volumes.count == 2 && volumes[0] != volumes[1], "the jobs' volumes: \(volumes)")
        #expect(try system.volumes().map(Self.size).max() ?? 0 >= written, "a volume shrank")

        let restore = try await system.restore("jobid=\(first)")
        #expect(restore.status == "T" && restore.files == firstRow.files, "\(restore)\n\(system.messages.suffix(3000))")
        let diff = try await Command.run(
            "/usr/bin/diff", ["-r", "--no-dereference", system.dataDirectory, system.restoredDataDirectory], timeout: 300)
        #expect(diff.status == 0, "diff -r: \(diff.output.prefix(2000)) \(diff.errors.prefix(2000))")
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
