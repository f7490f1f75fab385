import BaculaWire
import Net
import StorageProtocol

/// One end of an in-memory bsock link between two sessions of this daemon (docs/copy-jobs.md: a Copy or Migrate
/// whose read job runs here too). Frames pass by reference, in order, with the same contract as a TCP connection:
/// a write suspends while the link holds `capacity` bytes the peer has not read; `close()` ends both directions, the
/// peer still reads what was sent before it and then the end; a write after the close throws. No kernel copy, no
/// framing: the records the reading session sends are the arrays the writing session packs into blocks. A waiting
/// reader is woken at once for commands, replies and signals, but for record data only once 1 MiB is queued (a
/// stream always ends with a signal), so the two tasks do not wake each other for every 64 KiB record.
final class LocalPeerConnection: SessionConnection {
    let peer: String
    private let inbound: LocalFrameQueue
    private let outbound: LocalFrameQueue

    private init(peer: String, inbound: LocalFrameQueue, outbound: LocalFrameQueue) {
        self.peer = peer
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Two connected ends: what one writes, the other reads.
    static func pair(capacity: Int = 8 << 20) -> (connector: LocalPeerConnection, acceptor: LocalPeerConnection) {
        let toAcceptor = LocalFrameQueue(capacity: capacity)
        let toConnector = LocalFrameQueue(capacity: capacity)
        return (
            LocalPeerConnection(peer: "in-memory link (reading side)", inbound: toConnector, outbound: toAcceptor),
            LocalPeerConnection(peer: "in-memory link (writing side)", inbound: toAcceptor, outbound: toConnector)
        )
    }

    func readIncludingHeartbeats() async throws -> Frame? { await inbound.pop() }

    func write(_ frame: Frame) async throws { try await outbound.push(frame) }

    func close() async { closer() }

    var closer: @Sendable () -> Void {
        let (inbound, outbound) = (self.inbound, self.outbound)
        return {
            inbound.close()
            outbound.close()
        }
    }

    func holdInputAfterNextFrame() async throws {}

    /// The record stream in the batches the link already gathers (its reader wakes once per 1 MiB of record data).
    func divertRecordStream() -> any FrameBatchSource { LocalRecordStream(inbound) }

    /// No socket under the in-memory link.
    func readRecordStreamDirectly(thread: DirectReadThread) async -> DirectStreamReader? { nil }

    func switchToTLS(_ tls: TLSSettings, host: String?) async throws {
        throw LocalLinkError(reason: "no TLS on the in-memory link between two jobs of this daemon")
    }

    /// Bacula's handshake as the connector (the writing side of a Copy/Migrate says its hello, answers the reading
    /// side's CRAM-MD5 challenge and challenges it back), as `BsockConnection.authenticateAsConnector` does on TCP.
    @discardableResult
    func authenticateAsConnector(hello: [UInt8], key: AuthKey, challenge: Challenge) async throws -> Handshake.Outcome {
        var handshake = Handshake(connectorKey: key, challenge: challenge, hello: hello, expectsWelcome: true, tls: .none)
        var action = handshake.start()
        while true {
            switch action {
            case .send(let frames):
                for frame in frames { try await write(frame) }
            case .wait:
                break
            case .authenticated(let frames, let outcome):
                for frame in frames { try await write(frame) }
                return outcome
            case .fail(let frames, let reason):
                for frame in frames { try? await write(frame) }
                await close()
                throw LocalLinkError(reason: "authentication on the in-memory link failed: \(reason)")
            }
            guard let frame = try await readIncludingHeartbeats() else {
                action = handshake.connectionClosed()
                continue
            }
            action = handshake.received(frame)
        }
    }
}

/// A record stream read from the in-memory link up to its end, in batches: each batch is the frames queued when the
/// reader wakes (the link wakes it once per 1 MiB of record data), up to `batchBytes` of payload, so the writing
/// session handles a batch as it handles one socket read of a TCP stream. The frames after the end stay on the link.
final class LocalRecordStream: FrameBatchSource, @unchecked Sendable {
    private let inbound: LocalFrameQueue
    private var boundary = RecordStreamBoundary()
    private var ended = false
    private let batchBytes: Int

    init(_ inbound: LocalFrameQueue, batchBytes: Int = LocalFrameQueue.batch) {
        self.inbound = inbound
        self.batchBytes = batchBytes
    }

    func next() async throws -> [Frame]? {
        guard !ended, let first = await inbound.pop() else { return nil }
        if isEnd(first) {
            ended = true
            return [first]
        }
        var batch = [first]
        inbound.takeQueued(into: &batch, upTo: batchBytes) { frame in
            if isEnd(frame) { ended = true }
            return ended
        }
        return batch
    }

    private func isEnd(_ frame: Frame) -> Bool { frame.signal?.isHeartbeat != true && boundary.isEnd(frame) }
}

struct LocalLinkError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// One direction of a `LocalPeerConnection`: a bounded FIFO of frames between two tasks.
final class LocalFrameQueue: Sendable {
    private struct State {
        var frames: [Frame] = []
        var head = 0
        var bytes = 0
        var closed = false
        var reader: CheckedContinuation<Frame?, Never>?
        var writers: [CheckedContinuation<Void, any Error>] = []
    }

    private let capacity: Int
    private let state = GuardedState<State>("in-memory link", State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    private static func size(_ frame: Frame) -> Int { frame.payload?.count ?? 0 }
    /// Payloads below this wake a waiting reader at once (commands, replies, record headers).
    static let small = 4096
    /// Record data wakes a waiting reader once this much is queued.
    static let batch = 1 << 20

    /// Queues a frame; suspends while the queue holds `capacity` bytes or more (one frame always fits).
    func push(_ frame: Frame) async throws {
        while true {
            enum Step { case done, wait, closed }
            let (step, wake) = state.withLock { s -> (Step, (CheckedContinuation<Frame?, Never>, Frame)?) in
                if s.closed { return (.closed, nil) }
                guard s.bytes < capacity else { return (.wait, nil) }
                s.frames.append(frame)
                s.bytes += Self.size(frame)
                // A waiting reader is woken for a command, reply or signal at once, for record data once a batch
                // has come: one wake-up per `batch` bytes, not per frame.
                guard let r = s.reader, Self.size(frame) < Self.small || s.bytes >= Self.batch || frame.payload == nil,
                    let (head, _) = take(&s)
                else { return (.done, nil) }
                s.reader = nil
                return (.done, (r, head))
            }
            switch step {
            case .done:
                if let (reader, head) = wake { reader.resume(returning: head) }
                return
            case .closed:
                throw LocalLinkError(reason: "the in-memory link to the peer session is closed")
            case .wait:
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let now = state.withLock { s -> Bool in
                        if s.closed || s.bytes < capacity { return true }
                        s.writers.append(c)
                        return false
                    }
                    if now { c.resume() }
                }
            }
        }
    }

    private typealias Writers = [CheckedContinuation<Void, any Error>]

    /// Takes the head frame (lock held); the writers to wake once the queue is below its capacity again.
    private func take(_ s: inout State) -> (Frame, Writers)? {
        guard s.head < s.frames.count else { return nil }
        let frame = s.frames[s.head]
        s.head += 1
        s.bytes -= Self.size(frame)
        if s.head == s.frames.count {
            s.frames.removeAll(keepingCapacity: true)
            s.head = 0
        } else if s.head >= 1024 {
            s.frames.removeFirst(s.head)
            s.head = 0
        }
        guard s.bytes < capacity / 2 || s.head == 0 && s.frames.isEmpty else { return (frame, []) }
        defer { s.writers = [] }
        return (frame, s.writers)
    }

    /// The next frame; nil once the queue is closed and empty.
    func pop() async -> Frame? {
        enum Now { case frame(Frame, Writers), end, wait }
        let now = state.withLock { s -> Now in
            if let (frame, writers) = take(&s) { return .frame(frame, writers) }
            return s.closed ? .end : .wait
        }
        switch now {
        case .frame(let frame, let writers):
            for w in writers { w.resume() }
            return frame
        case .end:
            return nil
        case .wait:
            return await withCheckedContinuation { (c: CheckedContinuation<Frame?, Never>) in
                let ready = state.withLock { s -> Now in
                    if let (frame, writers) = take(&s) { return .frame(frame, writers) }
                    if s.closed { return .end }
                    s.reader = c
                    return .wait
                }
                switch ready {
                case .frame(let frame, let writers):
                    for w in writers { w.resume() }
                    c.resume(returning: frame)
                case .end:
                    c.resume(returning: nil)
                case .wait:
                    break
                }
            }
        }
    }

    /// Appends the frames queued now to `batch`, in order and without waiting (one lock): stops when `batch` holds
    /// `bytes` of payload or more, when the queue is empty, or after the frame `isLast` picks. `isLast` runs under
    /// the queue's lock, frame by frame. Writers waiting for room are woken as `pop` wakes them.
    func takeQueued(into batch: inout [Frame], upTo bytes: Int, isLast: (Frame) -> Bool) {
        var size = batch.reduce(0) { $0 + Self.size($1) }
        var wake: Writers = []
        state.withLock { s in
            while size < bytes, let (frame, writers) = take(&s) {
                batch.append(frame)
                size += Self.size(frame)
                wake += writers
                if isLast(frame) { break }
            }
        }
        for w in wake { w.resume() }
    }

    /// Ends the queue: the reader gets what is queued, then nil; waiting and later writers fail.
    func close() {
        let (reader, head, writers) = state.withLock {
            s -> (CheckedContinuation<Frame?, Never>?, Frame?, [CheckedContinuation<Void, any Error>]) in
            s.closed = true
            let head = s.reader == nil ? nil : take(&s)?.0  // a reader waiting for a batch gets what came first
            defer {
                s.reader = nil
                s.writers = []
            }
            return (s.reader, head, s.writers)
        }
        reader?.resume(returning: head)
        for w in writers { w.resume() }  // they find the queue closed and throw
    }
}
