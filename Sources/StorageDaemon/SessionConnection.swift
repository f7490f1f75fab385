import BaculaWire
import Net

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
}

extension BsockConnection: SessionConnection {}
