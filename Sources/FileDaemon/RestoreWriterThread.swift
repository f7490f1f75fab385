import Foundation

/// Runs a `ClientRestorer` on a thread of its own, so the network reads of a restore overlap the file writes.
/// Records come in batches (the records of one socket read) from the connection's event loop, which never waits:
/// `push` tells it to stop reading once `highWater` records wait, and the writer calls the batch's `resume` when it
/// has written the queue down to half of that (memory stays bounded: about `highWater` records of at most 64 KiB,
/// plus one socket read). To save wake-ups, an idle writer is woken once `wakeBatch` records wait (or at the end).
/// The writer's time goes to `times`: `writing` while it restores records, `network` while it waits for them.
final class RestoreWriterThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [ReadSessionRecords.Record] = []
    private var head = 0
    private var closed = false
    private var ended = false
    private let highWater: Int
    let restorer: ClientRestorer
    private let times: JobTimes?
    private let onRecord: @Sendable (ClientRestorer) -> Void

    private let wakeBatch: Int
    private var writerWaiting = false
    private var resume: (@Sendable () -> Void)?
    /// Hand-overs, for the log line at the end: batches pushed, records, times the writer was woken.
    private(set) var batches = 0
    private(set) var records = 0
    private(set) var wakeUps = 0

    init(
        restorer: ClientRestorer, highWater: Int = 64, times: JobTimes? = nil,
        onRecord: @escaping @Sendable (ClientRestorer) -> Void
    ) {
        self.restorer = restorer
        self.highWater = max(2, highWater)
        self.wakeBatch = max(1, min(8, highWater / 4))
        self.times = times
        self.onRecord = onRecord
        let thread = Thread { [self] in
            ThreadName.set("fd-restore-wr")
            run()
        }
        thread.start()
    }

    /// Queues `records` without waiting. Returns false when `highWater` records or more wait: the caller stops
    /// reading until `resume` is called (once, from the writer thread).
    func push(_ records: [ReadSessionRecords.Record], resume: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        queue.append(contentsOf: records)
        batches += 1
        self.records += records.count
        let waiting = queue.count - head
        if writerWaiting && waiting >= wakeBatch { condition.broadcast() }
        guard waiting < highWater else {
            self.resume = resume
            return false
        }
        return true
    }

    /// No more records: waits (off the cooperative threads) until every queued record is written and the
    /// directories are finished.
    func finish() async {
        close()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [self] in
                condition.lock()
                while !ended { condition.wait() }
                condition.unlock()
                continuation.resume()
            }
        }
    }

    private func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            if queue.count == head && !closed {
                let start = JobTimes.now()
                while queue.count == head && !closed {
                    writerWaiting = true
                    condition.wait()
                    writerWaiting = false
                }
                wakeUps += 1
                times?.add(.network, nanoseconds: JobTimes.now() - start)
            }
            if queue.count == head && closed {
                let resume = self.resume
                self.resume = nil
                condition.unlock()
                resume?()
                break
            }
            let record = queue[head]
            queue[head].data = []
            head += 1
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            var resume: (@Sendable () -> Void)?
            if self.resume != nil && queue.count - head <= highWater / 2 {
                resume = self.resume
                self.resume = nil
            }
            condition.unlock()
            resume?()
            if let times {
                times.measure(.writing) { restorer.consume(fileIndex: record.fileIndex, stream: record.stream, data: record.data) }
            } else {
                restorer.consume(fileIndex: record.fileIndex, stream: record.stream, data: record.data)
            }
            onRecord(restorer)
        }
        times?.measure(.writing) { restorer.finish() }
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }
}
