import CapstanTestSupport
import Foundation
import Testing

@testable import Director

/// Max Full Interval and Max Diff Interval upgrade an Incremental as bacula-dir does; a job with nothing to compare
/// against becomes a Full.
@Suite struct LevelUpgradeTests {
    let day: Int64 = 86_400

    func decide(_ level: String, since: Bool = true, full: Int64? = 0, diff: Int64? = nil, now: Int64, maxFull: Int64 = 0, maxDiff: Int64 = 0)
        -> LevelUpgrade.Decision
    {
        LevelUpgrade.decide(
            level: level, since: since, lastFull: full, lastDifferential: diff, now: now, maxFullInterval: maxFull,
            maxDiffInterval: maxDiff)
    }

    @Test func theIntervalsUpgradeAnIncrementalAndTheFullIntervalWins() {
        #expect(decide("I", now: 3 * day).level == "I", "no interval set: stays")
        #expect(decide("I", now: 6 * day, maxFull: 7 * day).level == "I")
        #expect(decide("I", now: 7 * day, maxFull: 7 * day) == .init(level: "F", upgradedFrom: "I", message: LevelUpgrade.noFull))
        #expect(decide("D", now: 8 * day, maxFull: 7 * day).level == "F")
        #expect(decide("I", now: 2 * day, maxDiff: day) == .init(level: "D", upgradedFrom: "I", message: LevelUpgrade.noDifferential))
        #expect(decide("I", diff: day + day / 2, now: 2 * day, maxDiff: day).level == "I", "the last Differential is recent")
        #expect(decide("I", full: 2 * day, diff: day, now: 2 * day + 10, maxDiff: day).level == "I", "a Differential before the Full does not count")
        #expect(decide("I", now: 8 * day, maxFull: 7 * day, maxDiff: day).level == "F", "Full takes precedence")
        #expect(decide("D", now: 2 * day, maxDiff: day).level == "D", "Max Diff Interval only upgrades Incrementals")
    }

    @Test func rerunFailedLevelsTakesTheLevelOfAFailedFullOrDifferential() {
        #expect(
            LevelUpgrade.decide(
                level: "I", since: true, lastFull: 0, lastDifferential: nil, now: 10, maxFullInterval: 0, maxDiffInterval: 0,
                failedLevel: "F") == .init(level: "F", upgradedFrom: "I", message: "Prior failed job found in catalog. Upgrading to Full."))
        let differential = LevelUpgrade.decide(
            level: "I", since: true, lastFull: 0, lastDifferential: nil, now: 10, maxFullInterval: 0, maxDiffInterval: 0,
            failedLevel: "D")
        #expect(differential.level == "D" && differential.message == "Prior failed job found in catalog. Upgrading to Differential.")
        #expect(
            LevelUpgrade.decide(
                level: "D", since: true, lastFull: 0, lastDifferential: nil, now: 10, maxFullInterval: 0, maxDiffInterval: 0,
                failedLevel: "D") == .init(level: "D"))
    }

    @Test func nothingToCompareAgainstMeansFull() {
        #expect(decide("I", since: false, full: nil, now: 5).level == "F")
        #expect(decide("D", since: false, full: nil, now: 5).upgradedFrom == "D")
        #expect(decide("F", since: false, full: nil, now: 5, maxFull: 1) == .init(level: "F"))
    }

    /// Runs the job once Full, then as Incremental once the catalog's clock (1 s steps) has passed the interval.
    func upgradedLevel(of job: String, in system: BaculaSystem) async throws -> (level: String, report: String) {
        let full = try await system.backup(level: "Full", job: job)
        #expect(full.status == "T", "\(system.report(jobId: full.jobId))")
        let started = try await system.sql("SELECT strftime('%s', StartTime, 'utc') FROM Job WHERE JobId = \(full.jobId)")
        let fullStart = TimeInterval(started.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        while Date().timeIntervalSince1970 < fullStart + 2 { try await Task.sleep(for: .milliseconds(100)) }
        let incremental = try await system.backup(level: "Incremental", job: job)
        #expect(incremental.status == "T", "\(system.report(jobId: incremental.jobId))")
        let level = try await system.sql("SELECT Level FROM Job WHERE JobId = \(incremental.jobId)")
        return (level.trimmingCharacters(in: .whitespacesAndNewlines), system.report(jobId: incremental.jobId))
    }

    @Test func capstanDirUpgradesWithTheRealFileDaemon() async throws {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Max Diff Interval = 1 sec"
        options.directorResources = """
            Job {
              Name = Rotating; Type = Backup; Client = system-fd; FileSet = SystemSet; Storage = SystemStorage
              Pool = SystemPool; Messages = Standard; Max Full Interval = 1 sec
            }
            """
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let differential = try await upgradedLevel(of: "SystemBackup", in: system)
        #expect(differential.level == "D", "\(differential.report)")
        #expect(differential.report.contains("Differential (upgraded from Incremental)"), "\(differential.report)")
        #expect(differential.report.contains(LevelUpgrade.noDifferential))
        let full = try await upgradedLevel(of: "Rotating", in: system)
        #expect(full.level == "F", "\(full.report)")
        #expect(full.report.contains("Full (upgraded from Incremental)"), "\(full.report)")
    }

    /// A Full that failed after the last good one makes the next Incremental a Full with Rerun Failed Levels.
    @Test func aFailedFullIsRerunAsFull() async throws {
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-rerun-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Rerun Failed Levels = yes; Run Before Job = \"/bin/sh -c 'test ! -e \(marks)/fail'\""
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        let full = try await system.backup(level: "Full")
        #expect(full.status == "T")
        // the catalog's times have 1 s steps, and only a job that started after the good one counts (as in Bacula)
        let started = try await system.sql("SELECT strftime('%s', StartTime, 'utc') FROM Job WHERE JobId = \(full.jobId)")
        let fullStart = TimeInterval(started.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        while Date().timeIntervalSince1970 < fullStart + 1.2 { try await Task.sleep(for: .milliseconds(100)) }
        FileManager.default.createFile(atPath: marks + "/fail", contents: nil)
        #expect(try await system.backup(level: "Full").status == "E")
        try FileManager.default.removeItem(atPath: marks + "/fail")
        let rerun = try await system.backup(level: "Incremental")
        let level = try await system.sql("SELECT Level FROM Job WHERE JobId = \(rerun.jobId)")
        #expect(rerun.status == "T" && level.trimmingCharacters(in: .whitespacesAndNewlines) == "F", "\(system.report(jobId: rerun.jobId))")
        #expect(system.report(jobId: rerun.jobId).contains("Prior failed job found in catalog. Upgrading to Full."))
    }
}
