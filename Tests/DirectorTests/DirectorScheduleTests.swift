import CapstanTestSupport
import Foundation
import Testing

/// A Schedule that fires every minute (`hourly at 0:MM` for each minute) starts the job once a minute: two jobs
/// within 150 s, never two in the same minute.
@Suite struct DirectorScheduleTests {
    @Test func aScheduleOfEveryMinuteStartsTwoJobsWithin150Seconds() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Schedule = EveryMinute"
        options.pool = "Maximum Volume Jobs = 0"
        options.directorResources = "Schedule {\n  Name = EveryMinute\n"
            + (0..<60).map { "  Run = Level=Full hourly at 0:\(String(format: "%02d", $0))\n" }.joined() + "}\n"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let status = try await system.console(["status dir"])
        #expect(status.contains("Scheduled Jobs:") && status.contains("SystemBackup"), "\(status)")
        let started = await RealBacula.eventually(seconds: 150) {
            let count = (try? Command.runMerged(
                ["/usr/bin/sqlite3", system.directory + "/dir/bacula.db", "SELECT COUNT(*) FROM Job"]))?
                .output.trimmingCharacters(in: .whitespacesAndNewlines)
            return Int(count ?? "") ?? 0 >= 2
        }
        #expect(started, "\(system.messages)\n\(system.directorLog)")
        _ = try await system.console(["wait"])
        let statuses = try await system.sql("SELECT JobStatus FROM Job ORDER BY JobId LIMIT 2")
        #expect(statuses == "T\nT\n", "\(statuses)\n\(system.messages)")
        let minutes = try await system.sql("SELECT substr(SchedTime, 1, 16) FROM Job ORDER BY JobId")
            .split(separator: "\n").map(String.init)
        #expect(Set(minutes).count == minutes.count, "two jobs in one minute: \(minutes)")
    }
}
