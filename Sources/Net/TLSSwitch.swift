import BaculaWire
import NIOCore
import NIOSSL
import NIOTLS

/// Errors of the switch of a bsock stream to TLS (spec §2.7); each names what failed, for the log.
public struct TLSNegotiationFailed: Error, CustomStringConvertible {
    public var description: String
}

/// Completes a promise when the TLS handshake below it finished (or failed, or the connection closed first).
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private var promise: EventLoopPromise<Void>?

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            promise?.succeed()
            promise = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(error)
        promise = nil
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(TLSNegotiationFailed(description: "the peer closed the connection during the TLS handshake"))
        promise = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise?.fail(TLSNegotiationFailed(description: "the TLS handshake was abandoned"))
        promise = nil
    }
}

extension BsockConnection {
    /// Acceptor: the next frame from the peer is its last plaintext one; hold what follows (its TLS hello may be in
    /// the same read). Call before sending the frame the peer answers with that last frame.
    public func holdInputAfterNextFrame() async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: FrameDecodingHandler.self).hold(after: 1)
        }.get()
    }

    /// Switches this connection to TLS in `settings.role` and waits for the TLS handshake; then checks the peer's
    /// certificate as Bacula 9.6 does (server: TLS Allowed CN; client: the certificate names `host`). Bytes held
    /// after the last plaintext frame are fed in below the TLS handler. Throws `TLSNegotiationFailed`.
    public func startTLS(_ settings: TLSSettings, host: String?) async throws {
        guard let sslContext = settings.context else {
            throw TLSNegotiationFailed(description: "TLS was negotiated but this side has no TLS context")
        }
        let channel = self.channel
        let done = channel.eventLoop.makePromise(of: Void.self)
        let sslHandler: NIOSSLHandler
        do {
            sslHandler = try await channel.eventLoop.submit { () throws -> NIOSSLHandler in
                let sync = channel.pipeline.syncOperations
                let handler: NIOSSLHandler
                switch settings.role {
                case .server: handler = NIOSSLServerHandler(context: sslContext)
                case .client: handler = try NIOSSLClientHandler(context: sslContext, serverHostname: nil)
                }
                try sync.addHandler(handler, position: .first)
                try sync.addHandler(TLSHandshakeWatcher(promise: done), position: .after(handler))
                let held = try sync.handler(type: FrameDecodingHandler.self).releaseHeldBytes()
                if !held.isEmpty {
                    var buffer = channel.allocator.buffer(capacity: held.count)
                    buffer.writeBytes(held)
                    sync.fireChannelRead(NIOAny(buffer))
                }
                return handler
            }.get()
        } catch {
            done.fail(error)
            throw TLSNegotiationFailed(description: "TLS could not be started: \(error)")
        }
        let clock = options.clock
        let timeout = options.authenticationStepTimeout
        let watchdog = Task {
            try await clock.sleep(for: timeout)
            done.fail(TLSNegotiationFailed(description: "the TLS handshake timed out"))
        }
        defer { watchdog.cancel() }
        do {
            try await done.futureResult.get()
        } catch let error as TLSNegotiationFailed {
            throw error
        } catch {
            throw TLSNegotiationFailed(description: "TLS handshake failed: \(error)")
        }
        let certificate = try? await channel.eventLoop.submit { sslHandler.peerCertificate }.get()
        let commonName = certificate?.subjectName.last { $0.type == .commonName }?.value
        switch settings.role {
        case .server:
            if !settings.allowedCNs.isEmpty && !TLSPeerNames.commonNameAllowed(commonName, allowed: settings.allowedCNs) {
                throw TLSNegotiationFailed(
                    description: "TLS certificate verification failed. Peer certificate did not match a required commonName"
                        + " (it is \"\(commonName ?? "none")\")")
            }
        case .client:
            let host = host ?? ""
            var dnsNames: [String] = []
            if let names = certificate?._subjectAlternativeNames() {
                for name in names where name.nameType == .dnsName {
                    dnsNames.append(String(decoding: name.contents, as: UTF8.self))
                }
            }
            if !TLSPeerNames.hostMatches(host: host, dnsNames: dnsNames, commonName: commonName) {
                throw TLSNegotiationFailed(
                    description: "TLS host certificate verification failed. Host name \"\(host)\" did not match presented certificate")
            }
        }
        logger.debug("TLS established", metadata: ["tls-role": "\(settings.role)", "peer-cn": "\(commonName ?? "")"])
    }
}
