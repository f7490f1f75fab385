import Synchronization

/// A counting gate for a Maximum Concurrent Jobs limit: `acquire` waits while `limit` jobs hold a slot; when one
/// frees, the waiting job with the best (lowest) Priority gets it, in queue order among equals.
final class JobSlots: Sendable {
    private struct Waiter {
        var limit: Int
        var priority: Int
        var order: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var held = 0
        var next = 0
        var waiting: [Waiter] = []
    }

    private let state = Mutex(State())

    func acquire(limit: Int, priority: Int = 10) async {
        await withCheckedContinuation { continuation in
            let now: Bool = state.withLock { s in
                if s.held < max(limit, 1) && s.waiting.isEmpty {
                    s.held += 1
                    return true
                }
                s.waiting.append(Waiter(limit: limit, priority: priority, order: s.next, continuation: continuation))
                s.next += 1
                return false
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.held -= 1
            let eligible = s.waiting.indices.filter { s.held < max(s.waiting[$0].limit, 1) }
            guard let best = eligible.min(by: {
                (s.waiting[$0].priority, s.waiting[$0].order) < (s.waiting[$1].priority, s.waiting[$1].order)
            }) else { return nil }
            s.held += 1
            return s.waiting.remove(at: best).continuation
        }
        next?.resume()
    }

    /// How many jobs wait for a slot.
    var waitingCount: Int { state.withLock { $0.waiting.count } }
}

/// One gate per resource name (Client, Storage, Job), made on first use.
final class NamedJobSlots: Sendable {
    private let gates = Mutex<[String: JobSlots]>([:])

    func gate(_ name: String) -> JobSlots {
        gates.withLock { all in
            if let gate = all[name] { return gate }
            let gate = JobSlots()
            all[name] = gate
            return gate
        }
    }
}
