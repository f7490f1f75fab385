import BaculaWire
import Net
import StorageProtocol
import Synchronization

/// What a File-daemon session (`FileDaemonSession`) needs of its connection: frames in and out, closing, and the
/// TLS switch of Bacula's handshake. A TCP connection (`BsockConnection`) or, for a Copy/Migrate whose read and
/// write jobs both run in this daemon, one end of an in-memory link (`LocalPeerConnection`).
protocol SessionConnection: AnyObject, Sendable {
    /// The peer's address as text, for logs.
    var peer: String { get }
    /// The next frame, heartbeats included; nil once the peer closed.
    func readIncludingHeartbeats() async throws -> Frame?
    /// Sends one frame; suspends while the peer is not reading.
    func write(_ frame: Frame) async throws
    /// Closes both directions: the peer reads what was sent, then the end.
    func close() async
    /// Closes the connection from anywhere (a cancel): a pending read returns nil.
    var closer: @Sendable () -> Void { get }
    /// TLS negotiated in the handshake: hold the bytes after the peer's next frame.
    func holdInputAfterNextFrame() async throws
    /// Switches to TLS (server role on File-daemon connections).
    func switchToTLS(_ tls: TLSSettings, host: String?) async throws
    /// From the next frame on, the peer's record stream (spec §3.4.3) up to its end (the EOD where a stream header
    /// would be) comes from the returned source in batches instead of from `readIncludingHeartbeats`; the frames
    /// after it come from there again. Call it before sending the reply the stream answers (`3000 OK data`).
    func divertRecordStream() -> any FrameBatchSource
    /// From the next frame on, the peer's record stream read straight from the socket (its data received into the
    /// blocks, `DirectStreamReader`), until the reader's `finish()`; nil when the connection cannot be read so (TLS,
    /// an in-memory link): then `divertRecordStream`. Call it before sending the reply the stream answers. The reader
    /// waits for the socket on `thread` when its task prefers that executor.
    func readRecordStreamDirectly(thread: DirectReadThread) async -> DirectStreamReader?
}

/// Batches of a diverted record stream, in order, heartbeats possibly left out; nil after the batch with the stream's
/// end or once the connection closed (as `readIncludingHeartbeats` returns nil); throws when the link broke (a
/// framing error). Read by one task.
protocol FrameBatchSource: AnyObject, Sendable {
    func next() async throws -> [Frame]?
}

extension BsockConnection: SessionConnection {
    /// The record stream a socket read at a time, taken on the event loop (`FrameBatchStream`), paced by
    /// `recordStreamPacing`.
    func divertRecordStream() -> any FrameBatchSource {
        let boundary = Mutex(RecordStreamBoundary())
        return TCPRecordStream(
            divertToStream(pacing: Self.recordStreamPacing) { frame in boundary.withLock { $0.isEnd(frame) } })
    }

    /// How an FD's record stream is read: after a read cycle of less than 192 KiB (NIO reads up to four 64 KiB
    /// buffers per wake-up, so the socket was drained), the next waits 2 ms. A backup of small files arrives a file
    /// or two per `send`: read as it came, the event loop and the session's task woke about every 85 KB (20,000
    /// files, 660 MB: 20,400 context switches of capstan-sd); paced, half as often (10,500), the job's wall time 7 %
    /// shorter over three pairs, the SD's CPU the same (docs/benchmarks.md). At most 192 KiB per 2 ms (96 MB/s) is
    /// paced; a faster stream fills its reads and is read at once.
    static let recordStreamPacing = ReadPacing(delay: .milliseconds(2), smallRead: 192 << 10)

    /// The record stream straight from the socket, paced as `divertRecordStream` paces it.
    func readRecordStreamDirectly(thread: DirectReadThread) async -> DirectStreamReader? {
        await readDirectly(pacing: Self.recordStreamPacing, thread: thread)
    }
}

/// A `FrameBatchStream` whose closed connection reads as the end, as a closed connection does for
/// `readIncludingHeartbeats`.
final class TCPRecordStream: FrameBatchSource {
    let stream: FrameBatchStream

    init(_ stream: FrameBatchStream) { self.stream = stream }

    func next() async throws -> [Frame]? {
        do {
            return try await stream.next()
        } catch FrameDiversionError.connectionClosed {
            return nil
        }
    }
}
