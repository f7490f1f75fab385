import Synchronization

/// The edge of `JobAdmission`: a job's task waits in `admit` until the queue lets it start, and calls `finish`
/// when it ends. Every change reports, under the queue's lock (so reports arrive in order), the status letter of
/// each queued job: why it waits, or `C` for the jobs that start now (their runners then report `R`).
final class JobScheduler: Sendable {
    private struct State {
        var admission = JobAdmission()
        var waiters: [Int64: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())
    private let onStatus: @Sendable ([Int64: Character]) -> Void

    init(onStatus: @escaping @Sendable ([Int64: Character]) -> Void = { _ in }) {
        self.onStatus = onStatus
    }

    /// Waits until the job may start; true when it holds its places (the caller must then call `finish`), false
    /// when its task was cancelled while it waited (it holds nothing).
    func admit(_ job: JobAdmission.Job) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let refused: Bool = state.withLock { s in
                    if Task.isCancelled { return true }
                    s.waiters[job.id] = continuation
                    settle(&s, started: s.admission.enqueue(job))
                    return false
                }
                if refused { continuation.resume(returning: false) }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                guard let waiter = s.waiters.removeValue(forKey: job.id) else { return nil }
                settle(&s, started: s.admission.withdraw(job.id))
                return waiter
            }
            cancelled?.resume(returning: false)
        }
    }

    /// The job that `admit` let start has ended: its places go to the jobs the queue picks next.
    func finish(_ id: Int64) {
        state.withLock { s in settle(&s, started: s.admission.finish(id)) }
    }

    /// How many jobs wait to start.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Reports the queue's statuses and resumes the started jobs' tasks (resuming under the lock is safe: it
    /// only schedules them).
    private func settle(_ s: inout State, started: [Int64]) {
        var statuses = s.admission.waits.mapValues(\.rawValue)
        for id in started { statuses[id] = "C" }
        onStatus(statuses)
        for id in started { s.waiters.removeValue(forKey: id)?.resume(returning: true) }
    }
}
