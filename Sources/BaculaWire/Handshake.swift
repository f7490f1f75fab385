/// How an authentication handshake failed. The peer is never told which of these happened: the wire only ever
/// carries `1999 Authorization failed.\n` (spec §2.3).
public enum HandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The peer's CRAM-MD5 response did not match our challenge (wrong password or key on one side).
    case responseMismatch
    /// The peer rejected our response; `reply` is what it sent instead of `1000 OK auth`.
    case rejectedByPeer(reply: String)
    /// The peer's challenge line did not parse.
    case malformedChallenge(prefix: String)
    /// The acceptor's final line was not a welcome line.
    case malformedWelcome(prefix: String)
    /// A signal other than a heartbeat arrived during `step`.
    case unexpectedSignal(Signal, step: Handshake.Step)
    /// One side requires TLS and the other cannot do it (`ssl=2` against `ssl=0`, spec §2.7).
    case tlsMismatch(ours: Int, peers: Int)
    /// No packet arrived in time during `step`.
    case timedOut(step: Handshake.Step)
    /// The connection closed during `step`.
    case connectionClosed(step: Handshake.Step)

    public var description: String {
        switch self {
        case .responseMismatch: return "the peer's CRAM-MD5 response does not match (password or key differs)"
        case .rejectedByPeer(let reply): return "the peer rejected our CRAM-MD5 response: \"\(reply)\""
        case .malformedChallenge(let prefix): return "malformed challenge \"\(prefix)\""
        case .malformedWelcome(let prefix): return "expected a welcome line, got \"\(prefix)\""
        case .unexpectedSignal(let signal, let step): return "unexpected \(signal) while \(step)"
        case .tlsMismatch(let ours, let peers):
            let refusal = TLSNegotiation.decide(ours: TLSNeed(rawValue: ours) ?? .none, peers: peers)
            let reason = if case .refuse(let why) = refusal { "\(why)" } else { "TLS requirement mismatch" }
            return "\(reason) (we announced ssl=\(ours), the peer ssl=\(peers))"
        case .timedOut(let step): return "timed out while \(step)"
        case .connectionClosed(let step): return "connection closed while \(step)"
        }
    }
}

/// The CRAM-MD5 handshake of spec §2.1 as a value: feed it events (a received frame, a timeout, the connection
/// closing), carry out the actions it returns. The TCP acceptor challenges first; the connector sends the hello,
/// answers, then challenges back and finally reads the acceptor's welcome line.
///
/// The acceptor accepts a response in Bacula's or the compatible base64; the connector only Bacula's (§2.3).
public struct Handshake: Sendable {
    public enum Role: Hashable, Sendable { case acceptor, connector }

    /// Where the handshake stands; named in errors.
    public enum Step: Hashable, Sendable, CustomStringConvertible {
        case notStarted, awaitingChallenge, awaitingVerdict, awaitingResponse, awaitingWelcome, finished

        public var description: String {
            switch self {
            case .notStarted: return "not started"
            case .awaitingChallenge: return "waiting for the peer's challenge"
            case .awaitingVerdict: return "waiting for the peer's verdict on our response"
            case .awaitingResponse: return "waiting for the peer's response to our challenge"
            case .awaitingWelcome: return "waiting for the welcome line"
            case .finished: return "finished"
            }
        }
    }

    /// What a finished handshake learned.
    public struct Outcome: Hashable, Sendable {
        /// The `ssl=` the peer announced.
        public var peerTLS: Int
        /// The acceptor's welcome line (connector role, when one was expected).
        public var welcome: WelcomeLine?
        /// Both announced TLS: the stream switched to TLS after the last `1000 OK auth` (the welcome line, if any,
        /// travelled inside it).
        public var tls: Bool = false
    }

    public enum Action: Hashable, Sendable {
        /// Send these frames, then wait for the next event.
        case send([Frame])
        /// Nothing to do; wait for the next event.
        case wait
        /// Send these frames; the peer is authenticated.
        case authenticated(sending: [Frame], Outcome)
        /// Send these frames, then (after the anti-brute-force delay) close. The error is for the local log only.
        case fail(sending: [Frame], HandshakeError)
    }

    public let role: Role
    public private(set) var step: Step = .notStarted
    private let key: AuthKey
    private let challenge: Challenge
    private let tls: TLSNeed
    private let hello: [UInt8]?
    private let welcome: [UInt8]?
    private let expectsWelcome: Bool
    private var peerTLS = 0

    /// Both sides announced TLS (known once the peer's challenge was read): the stream switches to TLS after the
    /// last `1000 OK auth` — the acceptor's welcome line travels inside it.
    public var negotiatedTLS: Bool {
        step != .notStarted && step != .awaitingChallenge && TLSNegotiation.decide(ours: tls, peers: peerTLS) == .startTLS
            && !(role == .acceptor && step == .awaitingResponse)
    }

    /// The acceptor's last plaintext frame from the peer is the next one (its verdict on our response) and TLS
    /// follows it: the I/O layer must stop decoding frames after it (the peer's TLS hello may arrive in the same
    /// read).
    public var tlsFollowsNextFrame: Bool { role == .acceptor && step == .awaitingVerdict && negotiatedTLS }

    /// The connector has just sent its last plaintext frame (`1000 OK auth`) and TLS was negotiated: the I/O layer
    /// starts the TLS client now, before reading the welcome line.
    public var tlsStartsNow: Bool { role == .connector && (step == .awaitingWelcome || step == .finished) && negotiatedTLS }

    /// The acceptor side, made once the hello was read and the key chosen; `welcome` is sent after success
    /// (nil: none, as when an SD answers an old FD).
    public init(acceptorKey key: AuthKey, challenge: Challenge, welcome: [UInt8]?, tls: TLSNeed = .none) {
        self.role = .acceptor
        self.key = key
        self.challenge = challenge
        self.tls = tls
        self.hello = nil
        self.welcome = welcome
        self.expectsWelcome = false
    }

    /// The connector side: `hello` is sent by `start()`; with `expectsWelcome` the handshake ends on the
    /// acceptor's welcome line (false for the SD-calls-client direction, where none comes).
    public init(
        connectorKey key: AuthKey, challenge: Challenge, hello: [UInt8], expectsWelcome: Bool = true,
        tls: TLSNeed = .none
    ) {
        self.role = .connector
        self.key = key
        self.challenge = challenge
        self.tls = tls
        self.hello = hello
        self.welcome = nil
        self.expectsWelcome = expectsWelcome
    }

    private var challengeFrame: Frame { .payload(ChallengeLine(challenge: challenge.text, ssl: tls).bytes) }

    /// The first action: the acceptor's challenge, or the connector's hello.
    public mutating func start() -> Action {
        guard step == .notStarted else { return .wait }
        switch role {
        case .acceptor:
            step = .awaitingResponse
            return .send([challengeFrame])
        case .connector:
            step = .awaitingChallenge
            return .send([.payload(hello ?? [])])
        }
    }

    /// A frame arrived from the peer.
    public mutating func received(_ frame: Frame) -> Action {
        let bytes: [UInt8]
        switch frame {
        case .signal(let signal):
            if signal.isHeartbeat { return .wait }
            return finish(failing: .unexpectedSignal(signal, step: step))
        case .payload(let payload):
            bytes = payload
        }
        switch step {
        case .notStarted, .finished:
            return .wait
        case .awaitingChallenge:
            guard let line = ChallengeLine(parsing: bytes) else {
                return finish(failing: .malformedChallenge(prefix: printable(bytes)), sending: [.payload(AuthLine.failed)])
            }
            peerTLS = line.ssl
            step = .awaitingVerdict
            return .send([.payload(CRAMMD5.responsePayload(key: key, challenge: line.challenge))])
        case .awaitingVerdict:
            guard bytes == AuthLine.ok else { return finish(failing: .rejectedByPeer(reply: printable(bytes))) }
            switch role {
            case .acceptor:
                return complete(sending: welcome.map { [.payload($0)] } ?? [], welcome: nil)
            case .connector:
                step = .awaitingResponse
                return .send([challengeFrame])
            }
        case .awaitingResponse:
            let good = CRAMMD5.verify(
                payload: bytes, key: key, challenge: challenge.text, acceptCompatible: role == .acceptor)
            guard good else { return finish(failing: .responseMismatch, sending: [.payload(AuthLine.failed)]) }
            switch role {
            case .acceptor:
                step = .awaitingChallenge
                return .send([.payload(AuthLine.ok)])
            case .connector:
                if let mismatch = tlsMismatch() { return finish(failing: mismatch, sending: [.payload(AuthLine.ok)]) }
                if expectsWelcome {
                    step = .awaitingWelcome
                    return .send([.payload(AuthLine.ok)])
                }
                return complete(sending: [.payload(AuthLine.ok)], welcome: nil)
            }
        case .awaitingWelcome:
            guard let line = WelcomeLine(parsing: bytes) else {
                return finish(failing: .malformedWelcome(prefix: printable(bytes)))
            }
            return complete(sending: [], welcome: line)
        }
    }

    /// The deadline for the current step passed.
    public mutating func timedOut() -> Action {
        guard step != .finished else { return .wait }
        return finish(failing: .timedOut(step: step))
    }

    /// The connection closed (or failed) under the handshake.
    public mutating func connectionClosed() -> Action {
        guard step != .finished else { return .wait }
        return finish(failing: .connectionClosed(step: step))
    }

    private mutating func complete(sending frames: [Frame], welcome line: WelcomeLine?) -> Action {
        if let mismatch = tlsMismatch() { return finish(failing: mismatch) }
        step = .finished
        return .authenticated(
            sending: frames,
            Outcome(peerTLS: peerTLS, welcome: line, tls: TLSNegotiation.decide(ours: tls, peers: peerTLS) == .startTLS))
    }

    /// §2.7: after both rounds each side fails if one requires TLS and the other announced none.
    private func tlsMismatch() -> HandshakeError? {
        guard case .refuse = TLSNegotiation.decide(ours: tls, peers: peerTLS) else { return nil }
        return .tlsMismatch(ours: tls.rawValue, peers: peerTLS)
    }

    private mutating func finish(failing error: HandshakeError, sending frames: [Frame] = []) -> Action {
        step = .finished
        return .fail(sending: frames, error)
    }

    private func printable(_ bytes: [UInt8]) -> String {
        bytes.prefix(60).map { $0 == 0x0A ? "\\n" : $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "." }
            .joined()
    }
}
