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

extension DirectorLifecycleTests {
    /// Priority as bacula-dir applies it: while a priority-10 job runs (it waits for a volume that cannot be
    /// made), a priority-5 run of the same job waits "for higher priority jobs to finish" — no mixing without
    /// Allow Mixed Priority — and starts once the running job is cancelled.
    @Test func aJobOfAnotherPriorityWaitsForTheRunningOne() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.pool = "Label Format = \"*\""
        options.job = "Maximum Concurrent Jobs = 4"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let first = try await system.queue("run job=SystemBackup yes")
        _ = try await Self.consoleUntil(system, "status dir") {
            $0.contains("SystemBackup.") && !$0.contains("is waiting execution")
        }
        let second = try await system.queue("run job=SystemBackup priority=5 yes")
        let waiting = try await Self.consoleUntil(system, "status dir") {
            $0.contains("\(second) ") && $0.contains("is waiting for higher priority jobs to finish")
        }
        #expect(waiting.contains("is waiting for higher priority jobs to finish"), "\(waiting)\n\(system.directorLog)")
        _ = try await system.console(["cancel jobid=\(first) yes"])
        let firstEnd = try await system.wait(jobId: first, timeout: 60)
        #expect(firstEnd.status == "A", "\(system.messages)")
        let started = try await Self.consoleUntil(system, "status dir") {
            !$0.contains("is waiting for higher priority jobs to finish") && $0.contains("SystemBackup.")
        }
        #expect(!started.contains("is waiting for higher priority jobs to finish"), "\(started)\n\(system.directorLog)")
        _ = try await system.console(["cancel jobid=\(second) yes"])
        let secondEnd = try await system.wait(jobId: second, timeout: 60)
        #expect(secondEnd.status == "A", "\(system.messages)")
    }
}

extension DirectorLifecycleTests {
    /// A level's Max Run Time cancels a job that cannot finish (it waits for a volume that cannot be made); the same
    /// job queued behind it starts more than its Max Start Delay after its scheduled time and is refused.
    @Test func aLevelsMaxRunTimeCancelsAndMaxStartDelayRefusesALateStart() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.pool = "Label Format = \"*\""
        options.job = "Full Max Run Time = 5 sec; Max Run Time = 1 hour; Max Start Delay = 2 sec; Maximum Concurrent Jobs = 1"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let first = try await system.queue("run job=SystemBackup level=Full yes")
        let second = try await system.queue("run job=SystemBackup level=Full yes")
        #expect(try await system.wait(jobId: first, timeout: 120).status == "A", "\(system.report(jobId: first))")
        #expect(system.report(jobId: first).contains("Max run time exceeded. Job canceled."), "\(system.report(jobId: first))")
        #expect(try await system.wait(jobId: second, timeout: 120).status == "A", "\(system.report(jobId: second))")
        #expect(
            system.report(jobId: second).contains("Fatal error: Job canceled because max start delay time exceeded."),
            "\(system.report(jobId: second))")
    }
}

extension DirectorLifecycleTests {
    /// The unique Job name a job gets when it is queued is the one it runs under (capstan-dir once named it again
    /// at its start: a test that looked it up after `run` then waited for a job that never came).
    @Test func aJobRunsUnderTheNameItWasQueuedWith() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let when = formatter.string(from: Date().addingTimeInterval(3))
        let jobId = try await system.queue("run job=SystemBackup when=\"\(when)\" yes")
        let queuedName = try await system.sql("SELECT Job FROM Job WHERE JobId=\(jobId)").trimmingCharacters(in: .whitespacesAndNewlines)
        let row = try await system.wait(jobId: jobId, timeout: 120)
        #expect(row.status == "T", "\(system.report(jobId: jobId))")
        let runName = try await system.sql("SELECT Job FROM Job WHERE JobId=\(jobId)").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!queuedName.isEmpty && runName == queuedName, "queued as \(queuedName), ran as \(runName)")
        #expect(system.report(jobId: jobId).contains("Job=\(queuedName)"), "\(system.report(jobId: jobId))")
    }
}

