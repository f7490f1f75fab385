import BaculaWire
import Logging
import NIOCore
import NIOPosix

/// What a listener does with a connection once it has read the first packet (the hello).
public enum FirstFrameDecision: Sendable {
    /// Run the handshake as acceptor with `key`, then send `welcome`; `claimedName` goes into logs.
    /// `tls` is the setting of the resource that authenticates the peer (its `ssl=`, its TLS server context).
    case authenticate(key: AuthKey, challengeName: String, welcome: [UInt8]?, claimedName: String, tls: TLSSettings = .none)
    /// Hand the connection over without authentication (e.g. an FD answering `Ping`).
    case handOver
    /// Refuse: log the reason, wait the failure delay, send `reply` if any, close.
    case reject(reason: String, claimedName: String?, reply: [UInt8]?)
}

/// A connection a listener accepted and the handler now owns.
public struct AcceptedConnection {
    public let connection: BsockConnection
    /// The first packet's payload (the hello).
    public let hello: [UInt8]
    /// The handshake outcome, nil when the decision was `handOver`.
    public let authentication: Handshake.Outcome?
}

/// A bsock listener: one child task per connection, each reading the hello, deciding, authenticating (the acceptor
/// challenges first, §2.1) and handing the connection to the caller's handler. Accepted sockets get SO_KEEPALIVE
/// with TCP_KEEPIDLE and TCP_KEEPINTVL = the Heartbeat Interval (§4.1). Cancelling `run` stops accepting and ends the connections' tasks.
public final class BsockServer: Sendable {
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<Frame, OutboundFrame>, Never>
    public let options: ConnectionOptions

    /// The bound address (the port when binding port 0).
    public var localAddress: SocketAddress? { serverChannel.channel.localAddress }

    private init(
        serverChannel: NIOAsyncChannel<NIOAsyncChannel<Frame, OutboundFrame>, Never>, options: ConnectionOptions
    ) {
        self.serverChannel = serverChannel
        self.options = options
    }

    /// Binds a listener on `host:port`.
    public static func bind(
        host: String, port: Int, options: ConnectionOptions = ConnectionOptions(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> BsockServer {
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        // Accepted links get the same keepalive timing as outgoing ones: a peer (e.g. Bacula's FD with its 300 s
        // default) may leave a link through a NAT idle for longer than the firewall remembers it.
        if let seconds = options.heartbeatSeconds {
            bootstrap = bootstrap.childChannelOption(BsockSocketOptions.keepAliveIdle, value: SocketOptionValue(seconds))
                .childChannelOption(BsockSocketOptions.keepAliveInterval, value: SocketOptionValue(seconds))
        }
        let channel = try await bootstrap
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addBsockFrameHandlers()
                    return try NIOAsyncChannel<Frame, OutboundFrame>(wrappingChannelSynchronously: channel)
                }
            }
        return BsockServer(serverChannel: channel, options: options)
    }

    /// Accepts connections until cancelled. `decide` sees each hello; `handler` gets each connection that passed.
    /// With `admission`, a connection is served (its hello read) only once it holds a slot, which it keeps until it
    /// ends; `waiting` is called for each connection that has to wait (for a log line).
    public func run(
        admission: ConnectionAdmission? = nil, waiting: (@Sendable (_ peer: String) -> Void)? = nil,
        decide: @escaping @Sendable (_ hello: [UInt8], _ peer: String) -> FirstFrameDecision,
        handler: @escaping @Sendable (AcceptedConnection) async throws -> Void
    ) async throws {
        let options = self.options
        try await serverChannel.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await child in connections {
                    group.addTask {
                        if let admission {
                            let peer = child.channel.remoteAddress.map { "\($0)" } ?? "unknown"
                            if admission.waitingCount > 0 || !admission.tryAcquire() {
                                waiting?(peer)
                                guard await admission.acquire() else {
                                    try? await child.channel.close()
                                    return
                                }
                            }
                            defer { admission.release() }
                            await Self.serve(child, options: options, decide: decide, handler: handler)
                        } else {
                            await Self.serve(child, options: options, decide: decide, handler: handler)
                        }
                    }
                }
            }
        }
    }

    /// Stops listening (`run` then returns once its connections ended).
    public func close() async {
        try? await serverChannel.channel.close()
    }

    private static func serve(
        _ child: NIOAsyncChannel<Frame, OutboundFrame>, options: ConnectionOptions,
        decide: @Sendable ([UInt8], String) -> FirstFrameDecision,
        handler: @Sendable (AcceptedConnection) async throws -> Void
    ) async {
        do {
            try await child.executeThenClose { inbound, outbound in
                let connection = BsockConnection(
                    channel: child.channel, inbound: inbound, outbound: outbound, options: options)
                do {
                    guard let first = try await connection.readFirstFrame() else { return }
                    guard case .payload(let hello) = first else {
                        try await connection.failAuthentication(
                            sending: [], reason: .unexpectedSignal(first.signal ?? .terminate, step: .notStarted))
                    }
                    switch decide(hello, connection.peer) {
                    case .authenticate(let key, let challengeName, let welcome, let claimedName, let tls):
                        connection.claimedName = claimedName
                        let outcome = try await connection.authenticateAsAcceptor(
                            key: key, challengeName: challengeName, welcome: welcome, tls: tls)
                        try await handler(AcceptedConnection(connection: connection, hello: hello, authentication: outcome))
                    case .handOver:
                        try await handler(AcceptedConnection(connection: connection, hello: hello, authentication: nil))
                    case .reject(let reason, let claimedName, let reply):
                        connection.claimedName = claimedName
                        connection.logger.warning("connection rejected", metadata: [
                            "reason": "\(reason)", "claimed-name": "\(claimedName ?? "")",
                        ])
                        try? await options.clock.sleep(for: options.authenticationFailureDelay)
                        if let reply { try? await connection.write(.payload(reply)) }
                    }
                } catch let failure as AuthenticationFailed {
                    _ = failure  // already logged, delayed and closed by the connection
                } catch let failure as TLSNegotiationFailed {
                    _ = failure  // already logged, delayed and closed by the connection
                } catch let error as WireError {
                    connection.logger.warning("connection refused: protocol error: \(error)")
                } catch {
                    connection.logger.info("connection ended: \(error)")
                }
            }
        } catch {
            options.logger.debug("closing connection failed: \(error)")
        }
    }
}

extension BsockConnection {
    /// The hello, with the handshake's step timeout; nil if the peer closed or timed out first.
    func readFirstFrame() async throws -> Frame? {
        let channel = self.channel
        let clock = options.clock
        let timeout = options.authenticationStepTimeout
        let watchdog = Task {
            try await clock.sleep(for: timeout)
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        do {
            return try await read()
        } catch let error as WireError {
            throw error
        } catch {
            return nil
        }
    }
}
