import Synchronization

/// A counting gate for Maximum Concurrent Jobs: `acquire` waits while `limit` jobs hold a slot.
final class JobSlots: Sendable {
    private struct State {
        var held = 0
        var waiting: [(limit: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func acquire(limit: Int) async {
        await withCheckedContinuation { continuation in
            let now: Bool = state.withLock { s in
                if s.held < max(limit, 1) {
                    s.held += 1
                    return true
                }
                s.waiting.append((limit, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.held -= 1
            if let index = s.waiting.firstIndex(where: { s.held < max($0.limit, 1) }) {
                s.held += 1
                return s.waiting.remove(at: index).continuation
            }
            return nil
        }
        next?.resume()
    }
}
