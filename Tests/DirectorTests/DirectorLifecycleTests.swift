import CapstanTestSupport
import Foundation
import Testing

/// capstan-dir as a service: SIGHUP (and the console's `reload`) rereads the configuration; SIGTERM cancels a
/// running job cleanly (status A in the catalog) and the daemon exits.
@Suite struct DirectorLifecycleTests {
    /// Asks bconsole `command` until its output satisfies `condition` (at most `seconds`).
    static func consoleUntil(_ system: BaculaSystem, _ command: String, seconds: Double = 30, _ condition: (String) -> Bool)
        async throws -> String
    {
        let deadline = Date().addingTimeInterval(seconds)
        var output = ""
        repeat {
            output = try await system.console([command])
            if condition(output) { return output }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        return output
    }

    @Test func hangupReloadsAndTermCancelsTheRunningJob() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.pool = "Label Format = \"*\""  // no volume can be made: the job waits for one
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let director = try #require(system.processes.last?.process)

        let configuration = system.directory + "/dir.conf"
        let added = """

            Job {
              Name = AddedByReload; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard
            }
            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: configuration))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(added.utf8))
        try handle.close()
        kill(director.processIdentifier, SIGHUP)
        let jobs = try await Self.consoleUntil(system, ".jobs") { $0.contains("AddedByReload") }
        #expect(jobs.contains("AddedByReload"), "\(jobs)\n\(system.directorLog)")

        let jobId = try await system.queue("run job=SystemBackup yes")
        let running = try await Self.consoleUntil(system, "status dir") { $0.contains("SystemBackup.") }
        #expect(running.contains("Running Jobs:") && running.contains("SystemBackup."), "\(running)")
        kill(director.processIdentifier, SIGTERM)
        let exited = await RealBacula.eventually(seconds: 30) { !director.isRunning }
        #expect(exited, "\(system.directorLog)")
        let status = try await system.sql("SELECT JobStatus FROM Job WHERE JobId=\(jobId)")
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "A", "\(status)\n\(system.directorLog)")
    }
}

extension DirectorLifecycleTests {
    /// A job that cannot get a volume: Allow Duplicate Jobs = no cancels a second run of it at once, and Max Run
    /// Time cancels it when its time is up.
    @Test func duplicateJobsAreRefusedAndMaxRunTimeCancels() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.pool = "Label Format = \"*\""
        options.job = "Allow Duplicate Jobs = no; Max Run Time = 8"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let first = try await system.queue("run job=SystemBackup yes")
        let second = try await system.queue("run job=SystemBackup yes")
        let duplicate = try await system.wait(jobId: second, timeout: 60)
        #expect(duplicate.status == "A", "\(system.messages)")
        #expect(system.messages.contains("Duplicate job not allowed"), "\(system.messages)")
        let timedOut = try await system.wait(jobId: first, timeout: 120)
        #expect(timedOut.status == "A", "\(system.messages)\n\(system.directorLog)")
        #expect(system.messages.contains("Max run time exceeded"), "\(system.messages)")
    }
}
