import BaculaWire
import Logging
import NIOCore
import Synchronization

/// Counts writes on a connection so the heartbeat task can tell an idle link from a busy one.
final class WriteActivity: Sendable {
    let writes = Atomic<Int>(0)
}

/// One bsock conversation over a NIO channel: read and write frames with backpressure (NIOAsyncChannel), run the
/// CRAM-MD5 handshake in either role, send heartbeats while a long operation leaves the link idle (§4.1).
///
/// Use it from one task (the conversation) or one actor: reads must never run concurrently (one inbound iterator),
/// and the settings (`compressOutgoing`, `claimedName`) are set before the conversation starts. Writes may come from
/// any task: NIO's outbound writer serializes them. `withHeartbeats` runs its own child task that only writes
/// signals. Under those rules it may be handed to the actor that owns the conversation, hence `@unchecked Sendable`.
public final class BsockConnection: @unchecked Sendable {
    let channel: Channel
    private var iterator: NIOAsyncChannelInboundStream<Frame>.AsyncIterator
    private let writer: NIOAsyncChannelOutboundWriter<OutboundFrame>
    private let activity = WriteActivity()
    public let options: ConnectionOptions
    /// The peer's address as text, for logs.
    public let peer: String
    /// Send payloads LZ4-compressed when it pays; set once the peer's version allows it (`CommCompression`).
    public var compressOutgoing = false
    /// The name the peer claimed in its hello, once known; goes into logs.
    public var claimedName: String?
    var logger: Logger

    init(
        channel: Channel, inbound: NIOAsyncChannelInboundStream<Frame>,
        outbound: NIOAsyncChannelOutboundWriter<OutboundFrame>, options: ConnectionOptions
    ) {
        self.channel = channel
        self.iterator = inbound.makeAsyncIterator()
        self.writer = outbound
        self.options = options
        self.peer = channel.remoteAddress.map { "\($0)" } ?? "unknown peer"
        var logger = options.logger
        logger[metadataKey: "peer"] = "\(self.peer)"
        self.logger = logger
    }

    /// The next frame from the peer, or nil when the peer closed the connection. Heartbeat signals are skipped
    /// (every reader ignores them, §4.1). Throws `WireError` when the peer broke the framing.
    public func read() async throws -> Frame? {
        while let frame = try await readIncludingHeartbeats() {
            if frame.signal?.isHeartbeat == true { continue }
            return frame
        }
        return nil
    }

    /// The next frame including heartbeat signals, or nil at end of stream.
    public func readIncludingHeartbeats() async throws -> Frame? {
        try await iterator.next()
    }

    /// Sends one frame; suspends while the peer is not reading (backpressure through channel writability).
    public func write(_ frame: Frame) async throws {
        activity.writes.add(1, ordering: .relaxed)
        try await writer.write(OutboundFrame(frame, compress: compressOutgoing && frame.payload != nil))
    }

    /// Sends several frames with one flush (fewer wake-ups and syscalls for a stream of small frames); suspends
    /// while the peer is not reading.
    public func write(contentsOf frames: [Frame]) async throws {
        activity.writes.add(1, ordering: .relaxed)
        let compress = compressOutgoing
        try await writer.write(contentsOf: frames.map { OutboundFrame($0, compress: compress && $0.payload != nil) })
    }

    /// Sends `text` as one payload frame (bytes as given: include `\n` where Bacula does).
    public func write(text: String) async throws {
        try await write(.text(text))
    }

    /// Closes the TCP connection.
    public func close() async {
        try? await channel.close()
    }

    /// A closure that closes this connection from anywhere (another task, a lock-guarded handler): a pending
    /// `read()` then returns nil.
    public var closer: @Sendable () -> Void {
        let channel = self.channel
        return { channel.close(promise: nil) }
    }

    /// Runs `body` (a long operation) while sending BNET_HEARTBEAT whenever a whole Heartbeat Interval passed
    /// without any write on this connection (§4.1). Without an interval it just runs `body`.
    public func withHeartbeats<Result>(_ body: () async throws -> Result) async throws -> Result {
        guard let interval = options.heartbeatInterval, interval > .zero else { return try await body() }
        let clock = options.clock
        let writer = self.writer
        let activity = self.activity
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var seen = activity.writes.load(ordering: .relaxed)
                while !Task.isCancelled {
                    try await clock.sleep(for: interval)
                    let now = activity.writes.load(ordering: .relaxed)
                    if now == seen {
                        try await writer.write(OutboundFrame(.signal(.heartbeat)))
                        seen = activity.writes.add(1, ordering: .relaxed).newValue
                    } else {
                        seen = now
                    }
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    // MARK: Authentication

    /// Runs the handshake as the TCP connector (§2.1): sends `hello`, answers the acceptor's challenge, challenges it
    /// back with `challengeName`, and returns the outcome with the acceptor's welcome line. On failure the
    /// connection is closed after the failure delay and `AuthenticationFailed` is thrown.
    @discardableResult
    ///
    /// `tls` is this side's TLS setting for the link (client role): its `ssl=` is announced, and when both sides
    /// announced TLS the stream switches to TLS after the last `1000 OK auth`; `host` is what the server's certificate
    /// must name (spec §2.7).
    public func authenticateAsConnector(
        hello: [UInt8], key: AuthKey, challengeName: String, expectsWelcome: Bool = true, tls: TLSSettings = .none,
        host: String? = nil
    ) async throws -> Handshake.Outcome {
        var handshake = Handshake(
            connectorKey: key, challenge: options.makeChallenge(challengeName), hello: hello,
            expectsWelcome: expectsWelcome, tls: tls.need)
        return try await run(&handshake, tls: tls, host: host)
    }

    /// Runs the handshake as the TCP acceptor after its hello was read: challenges first, checks the response,
    /// answers the peer's challenge and sends `welcome` (§2.1).
    @discardableResult
    public func authenticateAsAcceptor(
        key: AuthKey, challengeName: String, welcome: [UInt8]?, tls: TLSSettings = .none
    ) async throws -> Handshake.Outcome {
        var handshake = Handshake(
            acceptorKey: key, challenge: options.makeChallenge(challengeName), welcome: welcome, tls: tls.need)
        return try await run(&handshake, tls: tls, host: nil)
    }

    /// Carries out a handshake's actions, with a per-step timeout on the injected clock, and the switch to TLS
    /// when both sides announced it (the acceptor's welcome then goes inside TLS).
    func run(_ handshake: inout Handshake, tls: TLSSettings = .none, host: String? = nil) async throws -> Handshake.Outcome {
        var action = handshake.start()
        var switched = false
        while true {
            switch action {
            case .send(let frames):
                if handshake.tlsFollowsNextFrame { try await holdInputAfterNextFrame() }
                for frame in frames { try await write(frame) }
                if handshake.tlsStartsNow && !switched {
                    try await switchToTLS(tls, host: host)
                    switched = true
                }
            case .wait:
                break
            case .authenticated(let frames, let outcome):
                if outcome.tls && handshake.role == .acceptor { try await switchToTLS(tls, host: host) }
                for frame in frames { try await write(frame) }
                if outcome.tls && handshake.role == .connector && !switched { try await switchToTLS(tls, host: host) }
                return outcome
            case .fail(let frames, let reason):
                try await failAuthentication(sending: frames, reason: reason)
            }
            action = try await nextHandshakeEvent(&handshake)
        }
    }

    private func nextHandshakeEvent(_ handshake: inout Handshake) async throws -> Handshake.Action {
        let timedOut = Atomic<Bool>(false)
        let channel = self.channel
        let clock = options.clock
        let timeout = options.authenticationStepTimeout
        let watchdog = Task {
            try await clock.sleep(for: timeout)
            timedOut.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        do {
            guard let frame = try await readIncludingHeartbeats() else {
                return timedOut.load(ordering: .relaxed) ? handshake.timedOut() : handshake.connectionClosed()
            }
            return handshake.received(frame)
        } catch let error as WireError {
            throw error
        } catch {
            return timedOut.load(ordering: .relaxed) ? handshake.timedOut() : handshake.connectionClosed()
        }
    }

    /// `startTLS`, logging a failure as Bacula does (`TLS negotiation failed`) and closing after the failure delay.
    public func switchToTLS(_ tls: TLSSettings, host: String?) async throws {
        do {
            try await startTLS(tls, host: host)
        } catch {
            var metadata: Logger.Metadata = ["reason": "\(error)"]
            if let claimedName { metadata["claimed-name"] = "\(claimedName)" }
            logger.error("TLS negotiation failed with \(peer)", metadata: metadata)
            try? await options.clock.sleep(for: options.authenticationFailureDelay)
            await close()
            throw error
        }
    }

    /// Sends what the handshake says (at most `1999 Authorization failed.`), logs the peer and the name it claimed,
    /// waits the failure delay, closes, and throws. The peer is not told which side was wrong.
    func failAuthentication(sending frames: [Frame], reason: HandshakeError) async throws -> Never {
        for frame in frames { try? await write(frame) }
        var metadata: Logger.Metadata = ["reason": "\(reason)"]
        if let claimedName { metadata["claimed-name"] = "\(claimedName)" }
        if case .tlsMismatch = reason {
            logger.error("\(reason)", metadata: metadata)
        } else {
            logger.warning("authentication failed", metadata: metadata)
        }
        try? await options.clock.sleep(for: options.authenticationFailureDelay)
        await close()
        throw AuthenticationFailed(peer: peer, claimedName: claimedName, reason: reason)
    }
}
