import CapstanTestSupport
import Foundation
import Testing

/// Two jobs of one pool at once on a two-drive virtual library, with bacula-dir and capstan-dir: with Prefer Mounted
/// Volumes (the default) the second job joins the drive writing its pool's volume and both append to it; without,
/// the second takes the idle drive and another volume (the first is in use in the other drive). Before, capstan-sd
/// gave the second job the idle drive and the volume the first was writing, and failed it ("is in drive 0 of the
/// autochanger, which is busy").
@Suite struct LibraryDriveChoiceTests {
    @Test(arguments: [BaculaSystem.DirectorKind.bacula, .capstan], [true, false])
    func twoJobsOfOnePoolOnATwoDriveLibrary(director: BaculaSystem.DirectorKind, preferMounted: Bool) async throws {
        var options = BaculaSystem.Options()
        options.director = director
        options.tapeLibraryCapacity = 0
        options.tapeLibraryDrives = 2
        options.pool = "Maximum Volume Jobs = 0"
        let system = try BaculaSystem(storage: .capstan, options: options)
        // Each job holds its drive at a gate (its client before-script, which runs once the drive is reserved) until
        // both are there; then each sends 16 MiB at 5 MB/s, so the two write at the same time.
        let gate = system.directory + "/gate"
        system.options.job = """
            Prefer Mounted Volumes = \(preferMounted ? "yes" : "no"); Maximum Bandwidth = 5 MB/s
            Client Run Before Job = "/bin/sh -c 'touch \(gate)-%i; while [ ! -e \(gate) ]; do sleep 0.1; done'"
            """
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 16 << 20)
        try await system.start()
        let jobs = [try await system.queue("run job=SystemBackup yes"), try await system.queue("run job=SystemBackup yes")]
        let bothAtGate = await RealBacula.eventually(seconds: 120) {
            jobs.allSatisfy { FileManager.default.fileExists(atPath: "\(gate)-\($0)") }
        }
        #expect(bothAtGate, "\(system.report(jobId: jobs[0]))\n\(system.report(jobId: jobs[1]))")
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        var devices: [String] = []
        for job in jobs {
            let row = try await system.wait(jobId: job)
            #expect(row.status == "T", "\(system.report(jobId: job))")
            let report = system.report(jobId: job)
            devices.append(["Drive-0", "Drive-1"].first { report.contains("Using Device \"\($0)\" to write") } ?? "none")
        }
        let volumes = try await system.sql(
            "SELECT COUNT(DISTINCT MediaId) FROM JobMedia WHERE JobId IN (\(jobs.map(String.init).joined(separator: ",")))")
        let volumeCount = Int(volumes.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        if preferMounted {
            #expect(devices[0] == devices[1] && devices[0] != "none", "devices: \(devices)")
            #expect(volumeCount == 1, "the two jobs wrote \(volumeCount) volumes")
            #expect(try await system.overlappingJobMediaPairs() > 0, "the two jobs did not run at once")
        } else {
            #expect(Set(devices) == ["Drive-0", "Drive-1"], "devices: \(devices)")
            #expect(volumeCount == 2, "the two jobs wrote \(volumeCount) volumes")
        }
        for job in jobs {
            let target = system.restoreDirectory + "/job-\(job)"
            let restore = try await system.restore("jobid=\(job)", into: target)
            #expect(restore.status == "T", "\(system.report(jobId: restore.jobId))")
            try await BackupRestoreTests().sameTree(system.dataDirectory, target + system.dataDirectory)
        }
    }
}
