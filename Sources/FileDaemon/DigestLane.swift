import Dispatch

/// Feeds file digests on a serial queue of their own, so hashing (MD5 is serial within a file) overlaps reading,
/// compressing and sending. Chunks are shared with the packets that carry them, not copied, and handed over
/// `batch` at a time (fewer wake-ups). At most `limit` batches wait for the digest, so memory stays bounded;
/// `finish` waits for everything queued before it. Used by one reader at a time.
final class DigestLane: @unchecked Sendable {
    private let queue = DispatchQueue(label: "capstan-fd digest")
    private let room: DispatchSemaphore
    private let batch: Int
    private var pending: [(chunk: [UInt8], range: Range<Int>)] = []
    private var pendingDigest: Digest?
    private let times: JobTimes?

    init(batch: Int = 4, limit: Int = 8, times: JobTimes? = nil) {
        self.batch = max(1, batch)
        self.times = times
        room = DispatchSemaphore(value: max(1, limit))
    }

    /// Queues `chunk[range]` for `digest`; waits while `limit` batches are queued.
    func update(_ digest: Digest, _ chunk: [UInt8], _ range: Range<Int>) {
        if let pendingDigest, pendingDigest !== digest { flush() }
        pendingDigest = digest
        pending.append((chunk, range))
        if pending.count >= batch { flush() }
    }

    /// The digest once every chunk queued for it went in.
    func finish(_ digest: Digest) -> [UInt8] {
        flush()
        return queue.sync { digest.finish() }
    }

    private func flush() {
        guard let digest = pendingDigest, !pending.isEmpty else { return }
        let chunks = pending
        pending.removeAll(keepingCapacity: true)
        pendingDigest = nil
        room.wait()
        queue.async { [room, times] in
            let start = JobTimes.now()
            for (chunk, range) in chunks {
                chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[range])) }
            }
            times?.add(.digest, nanoseconds: JobTimes.now() - start)
            room.signal()
        }
    }
}
