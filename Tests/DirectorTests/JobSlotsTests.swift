@testable import Director
import Synchronization
import Testing

/// Maximum Concurrent Jobs gates: at most `limit` holders; a freed slot goes to the best Priority, then queue order.
@Suite struct JobSlotsTests {
    @Test func freedSlotsGoToTheBestPriorityFirst() async throws {
        let slots = JobSlots()
        await slots.acquire(limit: 1)
        let order = Order()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, priority) in [20, 5, 10, 5].enumerated() {
                group.addTask {
                    await slots.acquire(limit: 1, priority: priority)
                    order.append(index)
                    slots.release()
                }
                // Queue them in this order: wait until each one waits.
                while slots.waitingCount < index + 1 { await Task.yield() }
            }
            slots.release()
            try await group.waitForAll()
        }
        #expect(order.values == [1, 3, 2, 0])
    }
}

/// The order the waiters got their slot in.
final class Order: Sendable {
    private let list = Mutex<[Int]>([])
    func append(_ value: Int) { list.withLock { $0.append(value) } }
    var values: [Int] { list.withLock { $0 } }
}
