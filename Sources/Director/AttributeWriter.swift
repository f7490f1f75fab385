import Catalog
import Dispatch
import Logging
import Synchronization

/// Writes one job's file attributes to the catalog on a serial queue of its own, so the task reading the SD's
/// attribute stream never waits on SQLite: the SD (and behind it the FD) keeps sending while a batch is inserted.
///
/// Contract: batches are written in submission order, each batch's entries before its digests; at most
/// `maximumPending` batches wait at once (`submit` then blocks its caller, which bounds memory and back-pressures
/// the SD only when the catalog really falls behind); `drain` returns once everything submitted is in the catalog
/// and throws the first error any batch met (the later batches are still attempted).
final class AttributeWriter: Sendable {
    struct Batch: Sendable {
        var entries: [FileEntry]
        var digests: [(fileIndex: Int64, digest: String)]
    }

    static let maximumPending = 4

    private let catalog: CatalogDatabase
    private let jobID: Int64
    private let logger: Logger
    private let queue: DispatchQueue
    private let slots = DispatchSemaphore(value: AttributeWriter.maximumPending)
    private let firstError = Mutex<(any Error)?>(nil)

    init(catalog: CatalogDatabase, jobID: Int64, logger: Logger) {
        self.catalog = catalog
        self.jobID = jobID
        self.logger = logger
        queue = DispatchQueue(label: "capstan-dir.attributes.job\(jobID)", qos: .userInitiated)
    }

    /// Queues a batch (blocks while `maximumPending` batches are waiting).
    func submit(_ batch: Batch) {
        guard !batch.entries.isEmpty || !batch.digests.isEmpty else { return }
        let clock = ContinuousClock()
        let waited = clock.measure { slots.wait() }
        if waited > .milliseconds(10) { logger.debug("attribute batch waited \(waited) for the catalog") }
        queue.async { [self] in
            defer { slots.signal() }
            do {
                let took = try clock.measure {
                    try catalog.addFiles(jobID: jobID, batch.entries)
                    try catalog.setDigests(jobID: jobID, batch.digests)
                }
                logger.trace("wrote \(batch.entries.count) file entries and \(batch.digests.count) digests in \(took)")
            } catch {
                logger.error("could not insert \(batch.entries.count) file attributes: \(error)")
                firstError.withLock { if $0 == nil { $0 = error } }
            }
        }
    }

    /// Waits until every submitted batch is written; throws the first error met.
    func drain() throws {
        queue.sync {}
        if let error = firstError.withLock({ $0 }) { throw error }
    }
}
