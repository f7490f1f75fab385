import Foundation

/// Runs a `ClientRestorer` on a thread of its own, so the network reads of a restore overlap the file writes.
/// At most `capacity` records wait between the two (memory stays bounded: 64 records of at most 64 KiB).
final class RestoreWriterThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(fileIndex: Int32, stream: Int32, data: [UInt8])] = []
    private var head = 0
    private var closed = false
    private var ended = false
    private let capacity: Int
    let restorer: ClientRestorer
    private let onRecord: @Sendable (ClientRestorer) -> Void

    init(restorer: ClientRestorer, capacity: Int = 64, onRecord: @escaping @Sendable (ClientRestorer) -> Void) {
        self.restorer = restorer
        self.capacity = capacity
        self.onRecord = onRecord
        let thread = Thread { [self] in run() }
        thread.name = "capstan-fd restore writer"
        thread.start()
    }

    /// Queues a record; waits while `capacity` records are queued.
    func push(fileIndex: Int32, stream: Int32, data: [UInt8]) {
        condition.lock()
        while queue.count - head >= capacity { condition.wait() }
        queue.append((fileIndex, stream, data))
        condition.signal()
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
            while queue.count == head && !closed { condition.wait() }
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
            condition.broadcast()
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
