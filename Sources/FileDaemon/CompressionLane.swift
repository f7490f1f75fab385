import Dispatch
import FileDaemonProtocol

/// Compresses a file's chunks on worker threads while the reader goes on reading. Each chunk becomes an independent
/// packet (one zlib stream, or one LZO block behind its header, as bacula-fd frames them), so chunks compress in
/// parallel; packets come out in the order the chunks went in. At most `depth` chunks are in flight.
final class CompressionLane {
    /// One data packet (nil when compression failed) and the file bytes it carries.
    struct Packet {
        var bytes: [UInt8]?
        var readCount: Int
    }

    private final class Slot: @unchecked Sendable {
        // Written by one worker before `done` is signalled, read by the reader after waiting on it.
        var packet: [UInt8]?
        let done = DispatchSemaphore(value: 0)
    }

    private var inFlight: [(slot: Slot, readCount: Int)] = []
    private var head = 0
    let depth: Int
    let options: FileSetOptions
    let times: JobTimes?

    init(options: FileSetOptions, depth: Int = 2 * ProcessInfoCount.activeProcessors + 2, times: JobTimes? = nil) {
        self.options = options
        self.times = times
        self.depth = max(1, depth)
    }

    /// Queues `chunk` (file bytes from `offset`); returns the packets now ready in order, waiting for the oldest
    /// while `depth` are in flight.
    func submit(_ chunk: [UInt8], offset: Int64) -> [Packet] {
        let slot = Slot()
        let options = self.options
        let times = self.times
        DispatchQueue.global().async {
            let start = JobTimes.now()
            slot.packet = BackupProducer.encode(chunk, offset: offset, options: options)
            times?.add(.compression, nanoseconds: JobTimes.now() - start)
            slot.done.signal()
        }
        inFlight.append((slot, chunk.count))
        var ready: [Packet] = []
        while inFlight.count - head >= depth { ready.append(take(waiting: true)!) }
        while let packet = take(waiting: false) { ready.append(packet) }
        return ready
    }

    /// Every packet still in flight, in order.
    func drain() -> [Packet] {
        var ready: [Packet] = []
        while let packet = take(waiting: true) { ready.append(packet) }
        return ready
    }

    private func take(waiting: Bool) -> Packet? {
        guard head < inFlight.count else { return nil }
        let (slot, readCount) = inFlight[head]
        if waiting {
            slot.done.wait()
        } else if slot.done.wait(timeout: .now()) != .success {
            return nil
        }
        head += 1
        if head == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            head = 0
        }
        return Packet(bytes: slot.packet, readCount: readCount)
    }
}
