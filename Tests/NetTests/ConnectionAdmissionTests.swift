import Net
import Testing

/// `ConnectionAdmission`: at most `limit` slots taken; waiters get a released slot in arrival order; a waiter whose
/// task is cancelled leaves the queue without a slot.
@Suite struct ConnectionAdmissionTests {
    @Test func slotsAreHandedOnInArrivalOrderAndCancelledWaitersLeave() async throws {
        let admission = ConnectionAdmission(limit: 1)
        #expect(admission.tryAcquire())
        #expect(!admission.tryAcquire())
        let order = OrderLog()
        let first = Task { let got = await admission.acquire(); await order.add("first \(got)") }
        while admission.waitingCount < 1 { await Task.yield() }
        let cancelled = Task { await admission.acquire() }
        while admission.waitingCount < 2 { await Task.yield() }
        let second = Task { let got = await admission.acquire(); await order.add("second \(got)") }
        while admission.waitingCount < 3 { await Task.yield() }
        cancelled.cancel()
        #expect(await cancelled.value == false)
        #expect(admission.waitingCount == 2)
        admission.release()  // to `first`
        await first.value
        admission.release()  // to `second`
        await second.value
        #expect(await order.entries == ["first true", "second true"])
        admission.release()
        #expect(admission.tryAcquire())
    }
}

actor OrderLog {
    var entries: [String] = []
    func add(_ entry: String) { entries.append(entry) }
}
