import Catalog
import Dispatch
import Logging
import Synchronization

/// Writes one job's file attributes to the catalog on a serial queue of its own, so the task reading the SD's
/// attribute stream never waits on SQLite: the SD (and behind it the FD) keeps sending while a batch is inserted.
///
/// Contract: batches are written in submission order (each batch's files, then its late digests); `submit` never
/// blocks; `submitWaitingForRoom` suspends its task (no thread is held) while more than `maximumPending` batches
/// wait, which bounds memory and back-pressures the SD only when the catalog really falls behind; `drain` returns
/// once everything submitted is in the catalog and throws the first error any batch met (the later batches are
/// still attempted).
final class AttributeWriter: Sendable {
    static let maximumPending = 4

    private let catalog: CatalogDatabase
    private let jobID: Int64
    private let logger: Logger
    private let queue: DispatchQueue
    private let state = Mutex(State())

    private struct State {
        /// Batches submitted and not yet written.
        var pending = 0
        /// Tasks waiting for `pending` to fall to `maximumPending`.
        var waiters: [CheckedContinuation<Void, Never>] = []
        var firstError: (any Error)?
    }

    init(catalog: CatalogDatabase, jobID: Int64, logger: Logger) {
        self.catalog = catalog
        self.jobID = jobID
        self.logger = logger
        queue = DispatchQueue(label: "capstan-dir.attributes.job\(jobID)", qos: .userInitiated)
    }

    /// Queues a batch without waiting.
    func submit(_ batch: FileBatch) {
        guard !batch.isEmpty else { return }
        state.withLock { $0.pending += 1 }
        queue.async { [self] in
            let clock = ContinuousClock()
            do {
                let took = try clock.measure { try catalog.addFiles(jobID: jobID, batch) }
                logger.trace("wrote \(batch.count) file entries and \(batch.lateDigests.count) late digests in \(took)")
            } catch {
                logger.error("could not insert \(batch.count) file attributes: \(error)")
                state.withLock { if $0.firstError == nil { $0.firstError = error } }
            }
            let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.pending -= 1
                guard state.pending <= Self.maximumPending else { return [] }
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in ready { waiter.resume() }
        }
    }

    /// Queues a batch, then suspends while more than `maximumPending` batches wait for the catalog.
    func submitWaitingForRoom(_ batch: FileBatch) async {
        submit(batch)
        let clock = ContinuousClock()
        let start = clock.now
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wait = state.withLock { state -> Bool in
                guard state.pending > Self.maximumPending else { return false }
                state.waiters.append(continuation)
                return true
            }
            if !wait { continuation.resume() }
        }
        let waited = clock.now - start
        if waited > .milliseconds(10) { logger.debug("attribute batch waited \(waited) for the catalog") }
    }

    /// Waits (suspending, not blocking a thread) until every submitted batch is written; throws the first error met.
    func drain() async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
        if let error = state.withLock({ $0.firstError }) { throw error }
    }
}
