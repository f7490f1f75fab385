import Foundation
import Synchronization

/// The jobs the Director has queued or is running, and who waits for them to end.
public final class JobRegistry: Sendable {
    /// What `status dir` and `wait` need to know about a job in progress.
    public struct Entry: Sendable {
        public var jobID: Int64
        public var job: String
        public var name: String
        public var type: String
        public var level: String
        public var client: String
        public var status: String
        public var scheduledTime: Int64
        public var priority: Int
        public var cancel: @Sendable () -> Void
    }

    private struct State {
        var running: [Int64: Entry] = [:]
        var waiters: [Int64: [CheckedContinuation<Void, Never>]] = [:]
        var anyWaiters: [CheckedContinuation<Void, Never>] = []
        var finished: [Entry] = []
        var sequence = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a job that is about to run.
    public func add(_ entry: Entry) { state.withLock { $0.running[entry.jobID] = entry } }

    /// Updates a running job's status letter (and level once known).
    public func update(jobID: Int64, status: String? = nil, level: String? = nil, job: String? = nil) {
        state.withLock { s in
            if let status { s.running[jobID]?.status = status }
            if let level { s.running[jobID]?.level = level }
            if let job { s.running[jobID]?.job = job }
        }
    }

    /// Adds to what cancelling the job does beyond cancelling its task (close its connections).
    public func setCancel(jobID: Int64, _ cancel: @escaping @Sendable () -> Void) {
        state.withLock { s in
            guard let previous = s.running[jobID]?.cancel else { return }
            s.running[jobID]?.cancel = {
                previous()
                cancel()
            }
        }
    }

    /// Removes an ended job, remembers it for `status dir` and wakes whoever waits for it.
    public func finish(jobID: Int64, status: String) {
        let resumed: [CheckedContinuation<Void, Never>] = state.withLock { s in
            if var entry = s.running.removeValue(forKey: jobID) {
                entry.status = status
                s.finished.append(entry)
                if s.finished.count > 10 { s.finished.removeFirst(s.finished.count - 10) }
            }
            var list = s.waiters.removeValue(forKey: jobID) ?? []
            if s.running.isEmpty {
                list += s.anyWaiters
                s.anyWaiters = []
            }
            return list
        }
        for continuation in resumed { continuation.resume() }
    }

    /// The jobs in progress, by JobId.
    public var running: [Entry] { state.withLock { $0.running.values.sorted { $0.jobID < $1.jobID } } }

    /// The last jobs that ended (up to 10), oldest first.
    public var finished: [Entry] { state.withLock { $0.finished } }

    public func entry(jobID: Int64) -> Entry? { state.withLock { $0.running[jobID] } }

    /// Returns when the job is no longer running (at once when it is not).
    public func wait(jobID: Int64) async {
        await withCheckedContinuation { continuation in
            let now: Bool = state.withLock { s in
                guard s.running[jobID] != nil else { return true }
                s.waiters[jobID, default: []].append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Returns when no job is running.
    public func waitForAll() async {
        await withCheckedContinuation { continuation in
            let now: Bool = state.withLock { s in
                guard !s.running.isEmpty else { return true }
                s.anyWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// The next number for unique job names (`Name.YYYY-MM-DD_HH.MM.SS_NN`), two digits wrapping at 100.
    public func nextSequence() -> Int {
        state.withLock { s in
            s.sequence = (s.sequence + 1) % 100
            return s.sequence
        }
    }

    /// How many jobs run now, optionally only those of one job name.
    public func count(name: String? = nil) -> Int {
        state.withLock { s in s.running.values.filter { name == nil || $0.name == name }.count }
    }
}
