@testable import Director
import Testing

/// The job queue's decisions (bacula-dir's rules for Priority, Allow Mixed Priority and Maximum Concurrent Jobs),
/// as a pure value.
@Suite struct JobAdmissionTests {
    typealias Gate = JobAdmission.Gate

    static func job(
        _ id: Int64, priority: Int = 10, mix: Bool = false, director: Int = 10, client: String = "c1", clientLimit: Int = 10
    ) -> JobAdmission.Job {
        JobAdmission.Job(
            id: id, priority: priority, allowMixedPriority: mix,
            gates: [Gate(.director, "", limit: director), Gate(.client, client, limit: clientLimit)])
    }

    @Test func jobsOfOnePriorityStartUpToTheLimitsAndFreedPlacesGoInQueueOrder() {
        var queue = JobAdmission()
        #expect(queue.enqueue(Self.job(1, director: 2)) == [1])
        #expect(queue.enqueue(Self.job(2, director: 2)) == [2])
        #expect(queue.enqueue(Self.job(3, director: 2)) == [])
        #expect(queue.enqueue(Self.job(4, director: 2)) == [])
        #expect(queue.waits == [3: .execution, 4: .execution])
        #expect(queue.finish(2) == [3])
        #expect(queue.finish(1) == [4])
        #expect(queue.finish(99) == [], "a job that is not running frees nothing")
    }

    @Test func aRunningJobHoldsBackJobsOfAnyOtherPriority() {
        var queue = JobAdmission()
        #expect(queue.enqueue(Self.job(1, priority: 10)) == [1])
        // A better priority does not start beside it without Allow Mixed Priority, nor does a worse one.
        #expect(queue.enqueue(Self.job(2, priority: 5)) == [])
        #expect(queue.enqueue(Self.job(3, priority: 20)) == [])
        // Another job of the running priority queued behind the waiting better one waits for it too.
        #expect(queue.enqueue(Self.job(4, priority: 10)) == [])
        #expect(queue.waits == [2: .priority, 3: .priority, 4: .priority])
        // When the running job ends, the best priority goes first, and holds back the others in turn.
        #expect(queue.finish(1) == [2])
        #expect(queue.finish(2) == [4])
        #expect(queue.finish(4) == [3])
    }

    @Test func allowMixedPriorityLetsABetterPriorityStartWhenEveryRunningJobAllowsIt() {
        var queue = JobAdmission()
        #expect(queue.enqueue(Self.job(1, priority: 10, mix: true)) == [1])
        #expect(queue.enqueue(Self.job(2, priority: 10, mix: false)) == [2])
        // Job 2 does not allow mixing, so the better-priority job 3 waits even though it allows it.
        #expect(queue.enqueue(Self.job(3, priority: 5, mix: true)) == [])
        #expect(queue.waits == [3: .priority])
        #expect(queue.finish(2) == [3], "every running job allows mixing now")
        // Only better priorities start early: a worse one waits, even with mixing allowed everywhere.
        #expect(queue.enqueue(Self.job(4, priority: 20, mix: true)) == [])
        #expect(queue.waits == [4: .priority])
        #expect(queue.finish(1) == [], "job 3 (priority 5) still runs")
        #expect(queue.finish(3) == [4])
    }

    @Test func aBusyGateIsPassedOverSoOtherClientsRun() {
        var queue = JobAdmission()
        #expect(queue.enqueue(Self.job(1, client: "a", clientLimit: 1)) == [1])
        #expect(queue.enqueue(Self.job(2, client: "a", clientLimit: 1)) == [])
        #expect(queue.enqueue(Self.job(3, client: "b", clientLimit: 1)) == [3])
        #expect(queue.waits == [2: .client])
        #expect(queue.finish(1) == [2])
    }

    @Test func withdrawingAWaitingJobCanReleaseTheJobsBehindIt() {
        var queue = JobAdmission()
        #expect(queue.enqueue(Self.job(1, priority: 10, mix: true)) == [1])
        #expect(queue.enqueue(Self.job(2, priority: 5)) == [], "no Allow Mixed Priority: waits")
        #expect(queue.enqueue(Self.job(3, priority: 10)) == [], "queued behind a better priority")
        #expect(queue.withdraw(2) == [3])
        #expect(queue.withdraw(2) == [], "withdrawing twice changes nothing")
        #expect(queue.runningIDs == [1, 3])
    }

    @Test func aLimitBelowOneCountsAsOne() {
        var queue = JobAdmission()
        #expect(queue.enqueue(Self.job(1, director: 0)) == [1])
        #expect(queue.enqueue(Self.job(2, director: 0)) == [])
    }
}
