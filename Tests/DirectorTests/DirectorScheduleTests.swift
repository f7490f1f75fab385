import CapstanTestSupport
import Foundation
import Testing

/// A Schedule that fires every minute (`hourly at 0:MM` for each minute; Full at even minutes, Incremental at odd
/// ones) starts the job once a minute with the scheduled level: two jobs within 150 s, never two in the same
/// minute — also when the Director is restarted in the minute its first job ran (a missed or already started run
/// is not started again).
@Suite struct DirectorScheduleTests {
    @Test func aScheduleOfEveryMinuteStartsTwoJobsWithin150Seconds() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Schedule = EveryMinute"
        options.pool = "Maximum Volume Jobs = 0"
        options.directorResources = "Schedule {\n  Name = EveryMinute\n"
            + (0..<60).map { "  Run = Level=\($0 % 2 == 0 ? "Full" : "Incremental") hourly at 0:\(String(format: "%02d", $0))\n" }
            .joined() + "}\n"
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let status = try await system.console(["status dir"])
        #expect(status.contains("Scheduled Jobs:") && status.contains("SystemBackup"), "\(status)")
        func jobs(_ where: String = "1") -> Int {
            let count = (try? Command.runMerged(
                ["/usr/bin/sqlite3", system.directory + "/dir/bacula.db", "SELECT COUNT(*) FROM Job WHERE \(`where`)"]))?
                .output.trimmingCharacters(in: .whitespacesAndNewlines)
            return Int(count ?? "") ?? 0
        }
        // The first run ends; the Director is restarted at once, within the minute of that run when it is quick.
        #expect(await RealBacula.eventually(seconds: 90) { jobs("JobStatus = 'T'") >= 1 }, "\(system.messages)\n\(system.directorLog)")
        let firstMinute = try await system.sql("SELECT substr(SchedTime, 1, 16) FROM Job ORDER BY JobId LIMIT 1")
        system.stopDirector()
        try await system.startDirector(.capstan)
        let started = await RealBacula.eventually(seconds: 150) { jobs() >= 2 }
        #expect(started, "\(system.messages)\n\(system.directorLog)")
        _ = try await system.console(["wait"])
        let statuses = try await system.sql("SELECT JobStatus FROM Job ORDER BY JobId LIMIT 2")
        #expect(statuses == "T\nT\n", "\(statuses)\n\(system.messages)")
        let minutes = try await system.sql("SELECT substr(SchedTime, 1, 16) FROM Job ORDER BY JobId")
            .split(separator: "\n").map(String.init)
        #expect(Set(minutes).count == minutes.count, "two jobs in one minute (the first in \(firstMinute)): \(minutes)")
        // Each job has its minute's level; an Incremental with no Full before it is upgraded to Full, as Bacula does.
        let rows = try await system.sql("SELECT substr(SchedTime, 15, 2), Level FROM Job ORDER BY JobId LIMIT 2")
            .split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        #expect(rows.count == 2, "\(rows)")
        for (index, row) in rows.enumerated() where row.count == 2 {
            let scheduledFull = (Int(row[0]) ?? 0) % 2 == 0
            let expected = scheduledFull || index == 0 ? "F" : "I"
            #expect(row[1] == expected, "job \(index + 1) at minute \(row[0]) ran at level \(row[1]), expected \(expected)")
        }
    }
}
