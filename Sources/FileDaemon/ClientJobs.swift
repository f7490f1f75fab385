import Foundation
import Synchronization

/// The jobs this File daemon runs now, for `status` and `cancel`.
final class ClientJobs: Sendable {
    final class Entry: Sendable {
        let jobID: UInt32
        let job: String
        let kind: String
        let counters = JobCounters()
        let canceled = Atomic<Bool>(false)
        /// Closes the job's connections so blocked reads and writes end.
        let closers: Mutex<[@Sendable () -> Void]> = Mutex([])

        init(jobID: UInt32, job: String, kind: String) {
            self.jobID = jobID
            self.job = job
            self.kind = kind
        }
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let finished = Atomic<Int>(0)
    let started = Date()

    func add(_ entry: Entry) { entries.withLock { $0[entry.job] = entry } }

    func remove(_ entry: Entry) {
        entries.withLock { _ = $0.removeValue(forKey: entry.job) }
        finished.add(1, ordering: .relaxed)
    }

    var running: [Entry] { entries.withLock { Array($0.values) }.sorted { $0.jobID < $1.jobID } }
    var jobsRun: Int { finished.load(ordering: .relaxed) }

    /// Marks the job canceled and closes its connections; false when no such job runs.
    func cancel(job: String) -> Bool {
        guard let entry = entries.withLock({ $0[job] }) else { return false }
        entry.canceled.store(true, ordering: .relaxed)
        for close in entry.closers.withLock({ $0 }) { close() }
        return true
    }
}
