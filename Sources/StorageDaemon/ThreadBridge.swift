import CCapstanLinux
import Dispatch
import Foundation

/// Bridges between the device threads (which block) and Swift concurrency (which must not).
enum ThreadBridge {
    /// Runs an async operation from a dedicated thread and blocks that thread until it finishes. Never call this
    /// from a task: it parks the current thread.
    static func blockingAwait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let box = GuardedState<Result<T, any Error>?>("bridge result", nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = box.withLock({ $0 }) else { throw CancellationError() }  // unreachable: set before signal
        return try result.get()
    }

    /// Runs blocking `body` (a drive's MTOFFL, a wait for a drive to come online) on a thread of its own and
    /// suspends, without blocking the caller's thread, until it returns; rethrows its error.
    static func run(name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
        let failure = GuardedState<(any Error)?>("thread failure", nil)
        let handle = start(name: name) {
            do { try body() } catch { failure.withLock { $0 = error } }
        }
        await handle.join()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Starts a named thread running `body`; the returned handle's `join()` suspends (without blocking) until the
    /// body has returned. The kernel's name of the thread (`ps -L`, `perf`) is the first 15 bytes of `name`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> ThreadHandle {
        let handle = ThreadHandle()
        let thread = Thread {
            capstan_name_thread(name)
            body()
            handle.finished()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
        return handle
    }
}

/// Completion of a thread started by `ThreadBridge.start`.
final class ThreadHandle: Sendable {
    private enum State {
        case running([CheckedContinuation<Void, Never>])
        case finished
    }

    private let state = GuardedState<State>("thread completion", .running([]))

    fileprivate func finished() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard case .running(let waiters) = state else { return [] }
            state = .finished
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until the thread's body has returned.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                switch state {
                case .running(var waiters):
                    waiters.append(continuation)
                    state = .running(waiters)
                    return false
                case .finished:
                    return true
                }
            }
            if resumeNow { continuation.resume() }
        }
    }
}
