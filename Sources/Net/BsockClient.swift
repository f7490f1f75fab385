import BaculaWire
import Glibc
import NIOCore
import NIOPosix

/// Opens outgoing bsock connections: SO_KEEPALIVE with TCP_KEEPIDLE = Heartbeat Interval (§4.1), and (unlike
/// Bacula, which leaves it at the kernel's 75 s) TCP_KEEPINTVL too, so that a firewall's idle timer is refreshed
/// every interval, not only once.
public enum BsockClient {
    /// Connects to `host:port`, runs `body` with the connection, and closes it when `body` returns or throws.
    public static func withConnection<Result: Sendable>(
        host: String, port: Int, options: ConnectionOptions = ConnectionOptions(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (BsockConnection) async throws -> Result
    ) async throws -> Result {
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        if let seconds = options.heartbeatSeconds {
            bootstrap = bootstrap.channelOption(BsockSocketOptions.keepAliveIdle, value: SocketOptionValue(seconds))
                .channelOption(BsockSocketOptions.keepAliveInterval, value: SocketOptionValue(seconds))
        }
        let channel = try await bootstrap.connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addBsockFrameHandlers()
                return try NIOAsyncChannel<Frame, OutboundFrame>(wrappingChannelSynchronously: channel)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = BsockConnection(
                channel: channel.channel, inbound: inbound, outbound: outbound, options: options)
            return try await body(connection)
        }
    }
}

/// Socket options NIO has no name for.
public enum BsockSocketOptions {
    /// `TCP_KEEPIDLE`: seconds of idleness before the first keepalive probe.
    public static let keepAliveIdle = ChannelOptions.Types.SocketOption(
        level: NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_TCP)), name: NIOBSDSocket.Option(rawValue: TCP_KEEPIDLE))
    /// `TCP_KEEPINTVL`: seconds between keepalive probes (each answered probe refreshes a NAT's conntrack entry).
    public static let keepAliveInterval = ChannelOptions.Types.SocketOption(
        level: NIOBSDSocket.OptionLevel(rawValue: CInt(IPPROTO_TCP)), name: NIOBSDSocket.Option(rawValue: TCP_KEEPINTVL))
}
