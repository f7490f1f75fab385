import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP endpoint for Prometheus: `GET /metrics` answers the text `render` returns at that moment; any
/// other path is 404. One request per connection is enough for a scraper; the connection then closes.
public final class MetricsServer: Sendable {
    let channel: any Channel

    /// The bound port (useful when binding port 0).
    public var port: Int? { channel.localAddress?.port }

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Binds `host:port` and serves until `close()`.
    public static func start(
        host: String, port: Int, logger: Logger, render: @escaping @Sendable () async -> String,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MetricsServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(render: render))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("metrics on http://\(host):\(channel.localAddress?.port ?? port)/metrics")
        return MetricsServer(channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Answers one HTTP request per connection.
final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let render: @Sendable () async -> String

    init(render: @escaping @Sendable () async -> String) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let found = request.method == .GET && (request.uri == "/metrics" || request.uri.hasPrefix("/metrics?"))
        let render = self.render
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        Task {
            let body = found ? await render() : "not found: try /metrics\n"
            eventLoop.execute {
                let context = loopBound.value
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4" : "text/plain")
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                headers.add(name: "Connection", value: "close")
                let head = HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)
                context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
                var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
                buffer.writeString(body)
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
                let channel = context.channel
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
        }
    }
}
