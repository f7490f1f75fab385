import BaculaWire
import NIOCore
import Synchronization

/// A diverted bulk stream read by one task a socket read at a time: the event loop queues each read's frames as one
/// batch (`FrameDiversion`), and `next()` returns them, so the reading task wakes once per batch instead of once per
/// frame. Used by the SD for an FD's record stream (spec §3.4.3), as the FD's restore uses `divert` directly.
///
/// Backpressure: once the queue holds `limit` bytes (payloads plus a little per frame), the connection stops reading
/// the socket until `next()` has taken it below half of that (or taken everything). After the diversion ended, `next()` returns what is
/// still queued, then nil (the end frame came: it is the last frame of the last batch) or throws the diversion's
/// error (`FrameDiversionError.connectionClosed`, a framing error). One reader at a time.
public final class FrameBatchStream: Sendable {
    private struct State {
        /// Each queued batch with what it counts against the limit (counted once, when queued).
        var batches: [(frames: [Frame], cost: Int)] = []
        var head = 0
        var queued = 0
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<[Frame]?, any Error>?
        var resume: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    /// Bytes queued at which the connection stops reading.
    public let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// What a batch counts against the limit: its payloads and 16 bytes per frame (a stream of tiny frames is
    /// bounded too).
    private static func cost(_ frames: [Frame]) -> Int {
        var total = 16 * frames.count
        for frame in frames { if case .payload(let bytes) = frame { total += bytes.count } }
        return total
    }

    /// The sink's `take`, on the event loop: queues the batch or hands it to a waiting reader; false once full.
    func take(_ frames: [Frame], resume: @escaping @Sendable () -> Void) -> Bool {
        let cost = Self.cost(frames)
        let (reader, more) = state.withLock { s -> (CheckedContinuation<[Frame]?, any Error>?, Bool) in
            if let reader = s.reader {  // it waits only on an empty queue
                s.reader = nil
                return (reader, true)
            }
            s.batches.append((frames, cost))
            s.queued += cost
            guard s.queued < limit else {
                s.resume = resume
                return (nil, false)
            }
            return (nil, true)
        }
        reader?.resume(returning: frames)
        return more
    }

    /// The diversion ended: a waiting reader gets the end at once, a later one after the queued batches.
    func finish(_ result: Result<Void, any Error>) {
        let reader = state.withLock { s -> CheckedContinuation<[Frame]?, any Error>? in
            if s.end == nil { s.end = result }
            defer { s.reader = nil }
            return s.reader
        }
        reader?.resume(with: result.map { () -> [Frame]? in nil })
    }

    private enum Now {
        case batch([Frame], (@Sendable () -> Void)?)
        case end(Result<Void, any Error>)
        case wait
    }

    /// Takes the oldest batch (lock held); the connection's resume once the queue is below half its limit.
    private func poll(_ s: inout State) -> Now {
        guard s.head < s.batches.count else { return s.end.map { .end($0) } ?? .wait }
        let (batch, cost) = s.batches[s.head]
        s.batches[s.head] = ([], 0)
        s.head += 1
        s.queued -= cost
        if s.head == s.batches.count {
            s.batches.removeAll(keepingCapacity: true)
            s.head = 0
        }
        var resume: (@Sendable () -> Void)?
        if s.queued < limit / 2 || s.batches.isEmpty {
            resume = s.resume
            s.resume = nil
        }
        return .batch(batch, resume)
    }

    /// The next batch (never empty); nil after the end frame's batch; throws when the diversion failed.
    public func next() async throws -> [Frame]? {
        switch state.withLock({ poll(&$0) }) {
        case .batch(let frames, let resume):
            resume?()
            return frames
        case .end(let result):
            try result.get()
            return nil
        case .wait:
            break
        }
        return try await withCheckedThrowingContinuation { (reader: CheckedContinuation<[Frame]?, any Error>) in
            let now = state.withLock { s -> Now in
                let now = poll(&s)
                if case .wait = now { s.reader = reader }
                return now
            }
            switch now {
            case .batch(let frames, let resume):
                resume?()
                reader.resume(returning: frames)
            case .end(let result):
                reader.resume(with: result.map { () -> [Frame]? in nil })
            case .wait:
                break
            }
        }
    }
}

extension BsockConnection {
    /// Sends the frames after the next `passing` payload frames (those still come from `read()`) to a
    /// `FrameBatchStream` until the frame `isEnd` picks (the last frame of the stream's last batch; the frames after
    /// it go to `read()` again). Heartbeat signals are left out. Call it before sending what the stream answers (see
    /// `divert`). `isEnd` runs on the event loop, frame by frame in order.
    public func divertToStream(
        afterPassing passing: Int = 0, limit: Int = 512 << 10, pacing: ReadPacing? = nil,
        isEnd: @escaping @Sendable (Frame) -> Bool
    ) -> FrameBatchStream {
        let stream = FrameBatchStream(limit: limit)
        let diversion = divert(
            afterPassing: passing, to: FrameBatchSink(isEnd: isEnd) { frames, resume in stream.take(frames, resume: resume) },
            pacing: pacing)
        diversion.done.whenComplete { stream.finish($0) }
        return stream
    }
}
