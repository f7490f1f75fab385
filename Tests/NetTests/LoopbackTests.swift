import BaculaWire
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Net

/// Our connector and our acceptor over real loopback sockets.
@Suite struct LoopbackTests {
    static let directorName = "capstan-dir"

    static func options(clock: ManualClock, log: CapturedLog, seed: UInt32, heartbeat: Duration? = .seconds(300))
        -> ConnectionOptions
    {
        ConnectionOptions(
            heartbeatInterval: heartbeat, clock: clock,
            makeChallenge: { name in Challenge(random: seed, time: 1_795_706_790, name: name) },
            logger: log.logger())
    }

    /// An SD-like acceptor: a Director hello with the right name gets a CRAM-MD5 handshake with `password`.
    static func decide(password: String) -> @Sendable ([UInt8], String) -> FirstFrameDecision {
        { hello, _ in
            switch try? StorageDaemonIncomingHello(parsing: hello) {
            case .director(let director)?:
                return .authenticate(
                    key: .password(password), challengeName: "capstan-sd",
                    welcome: WelcomeLine.storageDaemon(version: 306).bytes, claimedName: director.directorName)
            default:
                return .handOver
            }
        }
    }

    /// Runs `server` until `body` returns, then stops it.
    static func withServer<R: Sendable>(
        _ server: BsockServer, decide: @escaping @Sendable ([UInt8], String) -> FirstFrameDecision,
        handler: @escaping @Sendable (AcceptedConnection) async throws -> Void,
        _ body: (Int) async throws -> R
    ) async throws -> R {
        let port = try #require(server.localAddress?.port)
        let serving = Task { try await server.run(decide: decide, handler: handler) }
        defer { serving.cancel() }
        let result = try await body(port)
        await server.close()
        return result
    }

    @Test func bothRolesAuthenticateWithTheRightPassword() async throws {
        let clock = ManualClock()
        let log = CapturedLog()
        let server = try await BsockServer.bind(host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: log, seed: 1))
        let served = Mutex<[UInt8]?>(nil)
        try await Self.withServer(server, decide: Self.decide(password: "sdpass")) { accepted in
            #expect(accepted.authentication?.peerTLS == 0)
            let command = try await accepted.connection.read()
            served.withLock { $0 = command?.payload }
            try await accepted.connection.write(text: "3000 OK Job\n")
        } _: { port in
            try await BsockClient.withConnection(
                host: "127.0.0.1", port: port, options: Self.options(clock: clock, log: log, seed: 2)
            ) { connection in
                let outcome = try await connection.authenticateAsConnector(
                    hello: DirectorHelloToStorageDaemon(directorName: Self.directorName).bytes,
                    key: .password("sdpass"), challengeName: Self.directorName)
                #expect(outcome.welcome == .storageDaemon(version: 306))
                connection.compressOutgoing = CommCompression.allowed(
                    sender: .director, receiver: .storageDaemon, peerVersion: outcome.welcome?.version ?? 0)
                let long = "JobId=1 job=" + String(repeating: "BackupTest ", count: 20) + "\n"
                try await connection.write(text: long)
                #expect(try await connection.read() == .text("3000 OK Job\n"))
                #expect(served.withLock { $0 } == Array(long.utf8))  // arrived LZ4-compressed, decoded
            }
        }
        #expect(!log.all.contains { $0.level >= .warning })
    }

    @Test func wrongPasswordFailsOnBothSidesAfterTheDelay() async throws {
        let clock = ManualClock()
        let serverLog = CapturedLog()
        let clientLog = CapturedLog()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: serverLog, seed: 1))
        let handled = Atomic<Int>(0)
        try await Self.withServer(server, decide: Self.decide(password: "sdpass")) { _ in
            handled.add(1, ordering: .relaxed)
        } _: { port in
            let client = Task {
                try await BsockClient.withConnection(
                    host: "127.0.0.1", port: port, options: Self.options(clock: clock, log: clientLog, seed: 2)
                ) { connection in
                    try await connection.authenticateAsConnector(
                        hello: DirectorHelloToStorageDaemon(directorName: Self.directorName).bytes,
                        key: .password("guess"), challengeName: Self.directorName)
                }
            }
            // Both sides now sit in their failure delay: nothing closes until the clock moves 5 s.
            #expect(await eventually { clock.pendingDelays.filter { $0 == .seconds(5) }.count == 2 })
            try await Task.sleep(for: .milliseconds(50))
            clock.advance(by: .seconds(4))
            #expect(clock.pendingDelays.filter { $0 == .seconds(1) }.count == 2)
            clock.advance(by: .seconds(1))
            let result = await client.result
            guard case .failure(let error as AuthenticationFailed) = result else {
                Issue.record("expected AuthenticationFailed, got \(result)")
                return
            }
            #expect(error.reason == .rejectedByPeer(reply: "1999 Authorization failed.\\n"))
        }
        #expect(handled.load(ordering: .relaxed) == 0)
        let warning = try #require(serverLog.all.first { $0.message == "authentication failed" })
        #expect(warning.metadata["claimed-name"] == Self.directorName)
        #expect(warning.metadata["peer"]?.contains("127.0.0.1") == true)
        #expect(warning.metadata["reason"] == "\(HandshakeError.responseMismatch)")
        #expect(clientLog.all.contains { $0.message == "authentication failed" })
    }

    @Test func heartbeatsAreSentOnIdleAndIgnoredOnRead() async throws {
        let clock = ManualClock()
        let log = CapturedLog()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: log, seed: 1))
        let release = AsyncStream<Void>.makeStream()
        try await Self.withServer(server, decide: Self.decide(password: "sdpass")) { accepted in
            let connection = accepted.connection
            // Incoming heartbeats before a command are skipped by read().
            #expect(try await connection.read() == .text("wait for media"))
            try await connection.withHeartbeats {
                for await _ in release.stream { break }  // a long operation that writes nothing
                try await connection.write(text: "3000 OK mounted\n")
            }
        } _: { port in
            try await BsockClient.withConnection(
                host: "127.0.0.1", port: port, options: Self.options(clock: clock, log: log, seed: 2, heartbeat: nil)
            ) { connection in
                try await connection.authenticateAsConnector(
                    hello: DirectorHelloToStorageDaemon(directorName: Self.directorName).bytes,
                    key: .password("sdpass"), challengeName: Self.directorName)
                try await connection.write(.signal(.heartbeat))
                try await connection.write(.signal(.heartbeatResponse))
                try await connection.write(text: "wait for media")
                for _ in 0..<2 {
                    #expect(await eventually { clock.pendingDelays.contains(.seconds(300)) })
                    clock.advance(by: .seconds(299))
                    try await Task.sleep(for: .milliseconds(20))
                    clock.advance(by: .seconds(1))
                    #expect(try await connection.readIncludingHeartbeats() == .signal(.heartbeat))
                }
                release.continuation.yield()
                #expect(try await connection.read() == .text("3000 OK mounted\n"))
            }
        }
    }

    @Test func outgoingSocketsKeepAliveWithTheHeartbeatInterval() async throws {
        let clock = ManualClock()
        let log = CapturedLog()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: log, seed: 1))
        try await Self.withServer(server, decide: { _, _ in .handOver }) { accepted in
            _ = try await accepted.connection.read()
        } _: { port in
            try await BsockClient.withConnection(
                host: "127.0.0.1", port: port, options: Self.options(clock: clock, log: log, seed: 2, heartbeat: .seconds(42))
            ) { connection in
                let keepAlive = try await connection.channel.getOption(.socketOption(.so_keepalive)).get()
                let idle = try await connection.channel.getOption(BsockSocketOptions.keepAliveIdle).get()
                let interval = try await connection.channel.getOption(BsockSocketOptions.keepAliveInterval).get()
                #expect(keepAlive != 0)
                #expect(idle == 42)
                #expect(interval == 42)
                try await connection.write(text: "Hello")
            }
        }
    }

    /// A peer that leaves a link through a NAT idle (Bacula's FD at its 300 s default) must not lose it: the
    /// acceptor's side probes at its own Heartbeat Interval.
    @Test func acceptedSocketsKeepAliveWithTheHeartbeatInterval() async throws {
        let clock = ManualClock()
        let log = CapturedLog()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: log, seed: 1, heartbeat: .seconds(10)))
        let seen = Mutex<(keepAlive: SocketOptionValue, idle: SocketOptionValue, interval: SocketOptionValue)?>(nil)
        try await Self.withServer(server, decide: { _, _ in .handOver }) { accepted in
            let channel = accepted.connection.channel
            let values = (
                try await channel.getOption(.socketOption(.so_keepalive)).get(),
                try await channel.getOption(BsockSocketOptions.keepAliveIdle).get(),
                try await channel.getOption(BsockSocketOptions.keepAliveInterval).get()
            )
            seen.withLock { $0 = values }
            _ = try await accepted.connection.read()
        } _: { port in
            try await BsockClient.withConnection(
                host: "127.0.0.1", port: port, options: Self.options(clock: clock, log: log, seed: 2, heartbeat: nil)
            ) { connection in
                try await connection.write(text: "Hello")
                #expect(await eventually { seen.withLock { $0 != nil } })
            }
        }
        let values = try #require(seen.withLock { $0 })
        #expect(values.keepAlive != 0)
        #expect(values.idle == 10)
        #expect(values.interval == 10)
    }

    @Test func oversizeFrameClosesTheConnection() async throws {
        let clock = ManualClock()
        let log = CapturedLog()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: log, seed: 1))
        let seen = Mutex<(any Error)?>(nil)
        try await Self.withServer(server, decide: { _, _ in .handOver }) { accepted in
            do {
                while try await accepted.connection.read() != nil {}
            } catch {
                seen.withLock { $0 = error }
                throw error
            }
        } _: { port in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            var buffer = channel.allocator.buffer(capacity: 16)
            buffer.writeBytes(try FrameEncoder.encode(.text("Ping")))
            buffer.writeInteger(UInt32(1_000_001))
            buffer.writeBytes([UInt8](repeating: 0x41, count: 64))
            try await channel.writeAndFlush(buffer).get()
            // The server closes the connection; we see it close without having sent the 1,000,001 bytes.
            #expect(await eventually { !channel.isActive })
            try? await channel.close().get()
            // The handler runs on its own task: wait until it has seen the error before the server is torn down.
            #expect(await eventually { seen.withLock { $0 != nil } })
        }
        #expect(seen.withLock { $0 as? WireError } == .frameTooLarge(length: 1_000_001, streamOffset: 8))
    }

    /// A peer that sends its hello and then stalls is cut off when the step timeout passes on the injected clock.
    @Test func stalledHandshakeTimesOutOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let log = CapturedLog()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: Self.options(clock: clock, log: log, seed: 1))
        try await Self.withServer(server, decide: Self.decide(password: "sdpass")) { _ in
            Issue.record("a stalled peer must not reach the handler")
        } _: { port in
            let received = ByteCounter()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in channel.pipeline.addHandler(received) }
                .connect(host: "127.0.0.1", port: port).get()
            var buffer = channel.allocator.buffer(capacity: 64)
            buffer.writeBytes(try FrameEncoder.encode(.payload(DirectorHelloToStorageDaemon(directorName: "x").bytes)))
            try await channel.writeAndFlush(buffer).get()
            // The challenge arrived, so the hello's watchdog is gone and the response step's one is armed.
            #expect(await eventually { received.count.load(ordering: .relaxed) > 0 })
            #expect(await eventually { clock.pendingDelays == [.seconds(180)] })
            clock.advance(by: .seconds(179))
            try await Task.sleep(for: .milliseconds(50))
            #expect(channel.isActive)
            clock.advance(by: .seconds(1))
            #expect(await eventually { !channel.isActive })
            #expect(await eventually { log.all.contains { $0.message == "authentication failed" } })
            let warning = log.all.first { $0.message == "authentication failed" }
            #expect(warning?.metadata["reason"] == "\(HandshakeError.timedOut(step: .awaitingResponse))")
            clock.advance(by: .seconds(5))
            try? await channel.close().get()
        }
    }
}

/// Counts bytes a raw test client receives.
final class ByteCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let count = Atomic<Int>(0)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        count.add(unwrapInboundIn(data).readableBytes, ordering: .relaxed)
    }
}
