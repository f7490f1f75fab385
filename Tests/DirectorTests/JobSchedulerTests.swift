@testable import Director
import Synchronization
import Testing

/// The job queue's edge: tasks wait in `admit` and start in the order the queue decides; a task cancelled while it
/// waits leaves the queue holding nothing.
@Suite struct JobSchedulerTests {
    static func job(_ id: Int64, priority: Int) -> JobAdmission.Job {
        JobAdmission.Job(id: id, priority: priority, gates: [JobAdmission.Gate(.director, "", limit: 1)])
    }

    @Test func freedPlacesGoToTheBestPriorityFirstAndStatusesAreReported() async throws {
        let statuses = Statuses()
        let scheduler = JobScheduler(onStatus: { statuses.record($0) })
        #expect(await scheduler.admit(Self.job(100, priority: 10)))
        let order = Order()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, priority) in [20, 5, 10, 5].enumerated() {
                group.addTask {
                    let id = Int64(index)
                    #expect(await scheduler.admit(Self.job(id, priority: priority)))
                    order.append(index)
                    scheduler.finish(id)
                }
                // Queue them in this order: wait until each one waits.
                while scheduler.waitingCount < index + 1 { await Task.yield() }
            }
            #expect(statuses.last[1] == "p" && statuses.last[0] == "p")
            scheduler.finish(100)
            try await group.waitForAll()
        }
        #expect(order.values == [1, 3, 2, 0])
        #expect(statuses.last[0] == "C", "the last job to start is reported as starting")
    }

    @Test func aJobCancelledWhileWaitingHoldsNothing() async {
        let scheduler = JobScheduler()
        #expect(await scheduler.admit(Self.job(1, priority: 10)))
        let waiting = Task { await scheduler.admit(Self.job(2, priority: 10)) }
        while scheduler.waitingCount < 1 { await Task.yield() }
        waiting.cancel()
        #expect(await waiting.value == false)
        #expect(scheduler.waitingCount == 0)
        scheduler.finish(1)
        // The place job 1 held is free: a new job starts at once (job 2 took nothing).
        #expect(await scheduler.admit(Self.job(3, priority: 10)))
    }

    @Test func aTaskCancelledBeforeItQueuesIsRefused() async {
        let scheduler = JobScheduler()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await scheduler.admit(Self.job(1, priority: 10))
        }
        #expect(await task.value == false)
        #expect(await scheduler.admit(Self.job(2, priority: 10)), "the refused job took no place")
    }
}

/// The order the waiters got their place in.
final class Order: Sendable {
    private let list = Mutex<[Int]>([])
    func append(_ value: Int) { list.withLock { $0.append(value) } }
    var values: [Int] { list.withLock { $0 } }
}

/// The statuses the scheduler reported, merged.
final class Statuses: Sendable {
    private let merged = Mutex<[Int64: Character]>([:])
    func record(_ statuses: [Int64: Character]) { merged.withLock { $0.merge(statuses) { _, new in new } } }
    var last: [Int64: Character] { merged.withLock { $0 } }
}
