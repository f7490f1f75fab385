import Foundation

/// Runs a `ClientRestorer` on a thread of its own, so the network reads of a restore overlap the file writes.
/// At most `capacity` records wait between the two (memory stays bounded: 64 records of at most 64 KiB). To save
/// wake-ups, an idle writer is woken once `wakeBatch` records wait (or at the end), and a reader held back by a
/// full queue once it is half empty.
final class RestoreWriterThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(fileIndex: Int32, stream: Int32, data: [UInt8])] = []
    private var head = 0
    private var closed = false
    private var ended = false
    private let capacity: Int
    let restorer: ClientRestorer
    private let onRecord: @Sendable (ClientRestorer) -> Void

    private let wakeBatch: Int
    private var writerWaiting = false
    private var readerWaiting = false

    init(restorer: ClientRestorer, capacity: Int = 64, onRecord: @escaping @Sendable (ClientRestorer) -> Void) {
        self.restorer = restorer
        self.capacity = max(2, capacity)
        self.wakeBatch = max(1, min(8, capacity / 4))
        self.onRecord = onRecord
        let thread = Thread { [self] in run() }
        thread.name = "capstan-fd restore writer"
        thread.start()
    }

    /// Queues a record; waits while `capacity` records are queued.
    func push(fileIndex: Int32, stream: Int32, data: [UInt8]) {
        condition.lock()
        while queue.count - head >= capacity {
            readerWaiting = true
            condition.wait()
        }
        queue.append((fileIndex, stream, data))
        if writerWaiting && queue.count - head >= wakeBatch { condition.broadcast() }
        condition.unlock()
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
            while queue.count == head && !closed {
                writerWaiting = true
                condition.wait()
                writerWaiting = false
            }
            if queue.count == head && closed {
                condition.unlock()
                break
            }
            let record = queue[head]
            queue[head].data = []
            head += 1
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            if readerWaiting && queue.count - head <= capacity / 2 {
                readerWaiting = false
                condition.broadcast()
            }
            condition.unlock()
            restorer.consume(fileIndex: record.fileIndex, stream: record.stream, data: record.data)
            onRecord(restorer)
        }
        restorer.finish()
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }
}
