import Foundation

/// State shared between threads behind one lock, with a condition variable for threads that must wait for it to
/// change. Every instance is named after what it guards. Waiting blocks the calling thread, so only the device
/// threads (despooler, drive writer) call `wait`; async code only locks briefly and signals.
final class GuardedState<State>: @unchecked Sendable {
    let name: String
    private let condition = NSCondition()
    private var state: State

    init(_ name: String, _ state: State) {
        self.name = name
        self.state = state
        condition.name = name
    }

    /// Runs `body` with the lock held.
    func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    /// Blocks until `body` returns non-nil (re-evaluated after every broadcast), with the lock held while it runs.
    func wait<T>(until body: (inout State) throws -> T?) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value = try body(&state) { return value }
            condition.wait()
        }
    }

    /// What a timed wait's condition answers: the result, wait for the next broadcast, or wait at most until a moment.
    enum WaitStep<T> {
        case done(T)
        case wait
        case waitUntil(ContinuousClock.Instant)
    }

    /// Blocks until `body` returns `.done` (re-evaluated after every broadcast, and at the moment a `.waitUntil`
    /// names), with the lock held while it runs.
    func wait<T>(steps body: (inout State) throws -> WaitStep<T>) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch try body(&state) {
            case .done(let value):
                return value
            case .wait:
                condition.wait()
            case .waitUntil(let deadline):
                let left = ContinuousClock.now.duration(to: deadline)
                let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
                if seconds > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
            }
        }
    }

    /// Wakes every waiting thread so it re-checks its condition.
    func broadcast() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Mutates the state and wakes waiters, in one step.
    func update<T>(_ body: (inout State) throws -> T) rethrows -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }
}
