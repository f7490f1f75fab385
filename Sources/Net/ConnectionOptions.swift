import BaculaWire
import Foundation
import Logging

/// Settings of a bsock connection that tests and daemons inject.
public struct ConnectionOptions: Sendable {
    /// Heartbeat Interval (§4.1): idle time before `withHeartbeats` sends BNET_HEARTBEAT, and the TCP keepalive idle
    /// time and probe interval of every socket, outgoing and accepted. Nil or zero: no heartbeats, kernel-default
    /// keepalive. Bacula 9.6 defaults to 300 s; Capstan's daemons to 10 s (`HeartbeatDefault` in CapstanConfig).
    public var heartbeatInterval: Duration?
    /// How long each handshake step waits for the peer (Bacula: 180 s per CRAM step).
    public var authenticationStepTimeout: Duration
    /// How long a side that detected a failed authentication waits before closing (Bacula: 5–6 s, anti brute force).
    public var authenticationFailureDelay: Duration
    /// The clock all of the above run on; tests pass a manual clock.
    public var clock: any Clock<Duration>
    /// Makes this side's challenge token for a daemon name (random part and time injected for tests).
    public var makeChallenge: @Sendable (_ name: String) -> Challenge
    public var logger: Logger

    public init(
        heartbeatInterval: Duration? = .seconds(300),
        authenticationStepTimeout: Duration = .seconds(180),
        authenticationFailureDelay: Duration = .seconds(5),
        clock: any Clock<Duration> = ContinuousClock(),
        makeChallenge: @escaping @Sendable (_ name: String) -> Challenge = ConnectionOptions.systemChallenge,
        logger: Logger = Logger(label: "capstan.net")
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.authenticationStepTimeout = authenticationStepTimeout
        self.authenticationFailureDelay = authenticationFailureDelay
        self.clock = clock
        self.makeChallenge = makeChallenge
        self.logger = logger
    }

    /// A challenge from the system random generator and the current Unix time.
    public static let systemChallenge: @Sendable (String) -> Challenge = { name in
        var generator = SystemRandomNumberGenerator()
        let now = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        return Challenge.make(name: name, unixTime: now, using: &generator)
    }

    /// Whole seconds of the heartbeat interval, if heartbeats are on.
    var heartbeatSeconds: Int? {
        guard let interval = heartbeatInterval, interval > .zero else { return nil }
        return max(1, Int(interval.components.seconds))
    }
}

/// An authentication handshake failed. The peer was told only `1999 Authorization failed.` (or nothing).
public struct AuthenticationFailed: Error, CustomStringConvertible {
    public var peer: String
    public var claimedName: String?
    public var reason: HandshakeError

    public var description: String {
        "authentication with \(claimedName.map { "\"\($0)\" at " } ?? "")\(peer) failed: \(reason)"
    }
}
