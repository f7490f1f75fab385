import Testing

@testable import Director

/// Max Start Delay, Max Run Sched Time and the Max Run Times, as bacula-dir applies them.
@Suite struct JobTimeLimitsTests {
    @Test func aLateStartIsRefusedByTheStartDelayOrTheSchedTime() {
        let limits = JobTimeLimits(maxStartDelay: 60, maxRunSchedTime: 600)
        #expect(limits.refusal(scheduled: 1_000, start: 1_060) == nil)
        #expect(limits.refusal(scheduled: 1_000, start: 1_061) == "Job canceled because max start delay time exceeded.")
        #expect(JobTimeLimits(maxRunSchedTime: 600).refusal(scheduled: 1_000, start: 1_601) == "Job canceled because max run sched time exceeded.")
        #expect(JobTimeLimits().refusal(scheduled: 0, start: 1_000_000) == nil)
    }

    @Test func theLevelsRunTimeWinsOverMaxRunTimeAndTheEarliestLimitCancels() throws {
        let limits = JobTimeLimits(maxRunTime: 3_600, fullMaxRunTime: 7_200, incrementalMaxRunTime: 600)
        #expect(limits.runTime(level: "F") == 7_200 && limits.runTime(level: "I") == 600 && limits.runTime(level: "D") == 3_600)
        #expect(limits.deadline(level: "I", scheduled: 0, start: 100)?.afterStart == 600)
        var sched = limits
        sched.maxRunSchedTime = 500
        let full = try #require(sched.deadline(level: "F", scheduled: 0, start: 100))
        #expect(full == (afterStart: 400, message: "Max sched run time exceeded. Job canceled."))
        let incremental = try #require(limits.deadline(level: "I", scheduled: 0, start: 100))
        #expect(incremental == (afterStart: 600, message: "Max run time exceeded. Job canceled."))
        #expect(JobTimeLimits().deadline(level: "F", scheduled: 0, start: 0) == nil)
    }
}
