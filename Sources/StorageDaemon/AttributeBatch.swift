import StorageProtocol

/// The attribute records of an append session not yet sent to the Director's catalog (spec §3.3.5 e). They go as one
/// write once the batch is due — `records` of them, `bytes` of their data, or the oldest waiting `age` — instead of
/// one write per socket read of the record stream, which for a backup of small files is one per file and woke the
/// Director connection's event loop as often. The session also sends the batch before any other action and at the
/// end of the stream, so the catalog has every attribute of a job before its commit. A value: no clock of its own.
struct AttributeBatch {
    /// When a batch is due.
    struct Limits: Sendable {
        var records = 256
        var bytes = 256 << 10
        var age: Duration = .milliseconds(50)
    }

    let limits: Limits
    private(set) var requests: [CatalogRequest] = []
    private(set) var bytes = 0
    /// When the oldest waiting record was added.
    private var oldest: ContinuousClock.Instant?

    init(limits: Limits = Limits()) { self.limits = limits }

    var isEmpty: Bool { requests.isEmpty }

    /// Adds `update`; `now` is read only for the first record of a batch (the clock stays off the per-record path).
    mutating func append(_ update: AttributeUpdate, at now: @autoclosure () -> ContinuousClock.Instant) {
        if oldest == nil { oldest = now() }
        bytes += update.data.count
        requests.append(.fileAttributes(update))
    }

    /// Whether the batch should be sent at `now`: not empty, and full by count or bytes, or its oldest record old.
    func isDue(at now: ContinuousClock.Instant) -> Bool {
        guard let oldest else { return false }
        return requests.count >= limits.records || bytes >= limits.bytes || now - oldest >= limits.age
    }

    /// The waiting requests, in the order they were added; the batch is empty afterwards.
    mutating func take() -> [CatalogRequest] {
        defer {
            requests = []
            bytes = 0
            oldest = nil
        }
        return requests
    }
}
