import BaculaWire
import CapstanConfig
import FileDaemonProtocol
import Foundation
import Logging
import Net
import ServiceLifecycle

/// The File daemon: listens on its FD addresses, authenticates Directors with their passwords and serves their
/// jobs (backup to and restore from a Storage daemon, estimate, status, cancel). One `run()`; a graceful shutdown
/// cancels the running jobs and stops the listeners.
public final class FileDaemon: Service, Sendable {
    public let configuration: FileDaemonConfiguration
    let options: ConnectionOptions
    let logger: Logger
    let jobs = ClientJobs()
    let lifecycle: LifecycleEvents
    /// The uname part of `2000 OK Job ...`.
    let uname: String
    /// TLS settings: server per Director resource, client towards the SD (or why they could not be loaded:
    /// `run()` then fails at once).
    let tlsSetup: Result<(directors: [String: TLSSettings], storage: TLSSettings), TLSSettings.SetupError>

    /// What the daemon tells its supervisor (sd_notify in capstan-fd; nothing in tests).
    public struct LifecycleEvents: Sendable {
        public var ready: @Sendable ([Int]) -> Void
        public var stopping: @Sendable () -> Void

        public init(ready: @escaping @Sendable ([Int]) -> Void = { _ in }, stopping: @escaping @Sendable () -> Void = {}) {
            self.ready = ready
            self.stopping = stopping
        }
    }

    public init(configuration: FileDaemonConfiguration, options: ConnectionOptions, logger: Logger, lifecycle: LifecycleEvents = LifecycleEvents()) {
        self.configuration = configuration
        self.options = options
        var logger = logger
        logger[metadataKey: "daemon"] = "\(configuration.client.name)"
        self.logger = logger
        self.lifecycle = lifecycle
        self.uname = "x86_64-pc-linux-gnu,debian,12"
        self.tlsSetup = Result {
            var directors: [String: TLSSettings] = [:]
            for director in configuration.directors {
                do {
                    directors[director.name] = try TLSSettings(director.tls, role: .server)
                } catch {
                    throw TLSSettings.SetupError(description: "Director \"\(director.name)\": \(error)")
                }
            }
            do {
                return (directors, try TLSSettings(configuration.client.tls, role: .client))
            } catch {
                throw TLSSettings.SetupError(description: "FileDaemon \"\(configuration.client.name)\": \(error)")
            }
        }.mapError { $0 as? TLSSettings.SetupError ?? TLSSettings.SetupError(description: "\($0)") }
    }

    /// The TLS setting towards Storage daemons (none when the setup failed: `run()` refused to start then).
    var storageTLS: TLSSettings { (try? tlsSetup.get())?.storage ?? .none }

    /// Bytes per data packet to the SD (Maximum Network Buffer Size, default 65536).
    var bufferSize: Int {
        let configured = configuration.client.maximumNetworkBufferSize
        return configured > 0 ? min(configured, 4_000_000) : 65536
    }

    public func run() async throws {
        _ = try tlsSetup.get()
        var servers: [BsockServer] = []
        for address in configuration.client.listenAddresses {
            let server = try await BsockServer.bind(host: address.host, port: address.port, options: options)
            servers.append(server)
            logger.info("listening", metadata: ["address": "\(address.host):\(server.localAddress?.port ?? address.port)"])
        }
        lifecycle.ready(servers.compactMap { $0.localAddress?.port })
        let listeners = servers
        let daemon = self
        // As bacula-fd: Maximum Concurrent Jobs Director connections are served at once (across all addresses);
        // the others are accepted and wait, unanswered, until one ends.
        let limit = configuration.client.maximumConcurrentJobs
        let admission = ConnectionAdmission(limit: limit)
        let logger = self.logger
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for server in listeners {
                    group.addTask {
                        try await server.run(
                            admission: admission,
                            waiting: { peer in
                                logger.info(
                                    "connection from \(peer) waits: Maximum Concurrent Jobs (\(limit)) connections are served")
                            },
                            decide: { hello, peer in daemon.decide(hello: hello, peer: peer) },
                            handler: { accepted in await daemon.serve(accepted) })
                    }
                }
            }
        } onGracefulShutdown: { [lifecycle, jobs, logger] in
            lifecycle.stopping()
            let running = jobs.running
            for entry in running { _ = jobs.cancel(job: entry.job) }
            if !running.isEmpty { logger.warning("shutting down: \(running.count) running job(s) canceled") }
            Task { for server in listeners { await server.close() } }
        }
        logger.info("stopped")
    }

    /// Who may connect: a configured Director (by name, with its password), or a `Ping`.
    func decide(hello: [UInt8], peer: String) -> FirstFrameDecision {
        do {
            switch try FileDaemonIncomingHello(parsing: hello) {
            case .ping:
                return .handOver
            case .director(let director):
                guard let configured = configuration.directors.first(where: { $0.name == director.directorName }) else {
                    return .reject(
                        reason: "Connection from unknown Director \(director.directorName) at \(peer) rejected.",
                        claimedName: director.directorName, reply: nil)
                }
                return .authenticate(
                    key: .password(configured.password), challengeName: configuration.client.name,
                    welcome: FileDaemonReply.welcome, claimedName: configured.name,
                    tls: (try? tlsSetup.get())?.directors[configured.name] ?? .none)
            case .storageCallingClient(let storage):
                return .reject(reason: "SD Calls Client is not supported (job \(storage.jobName))", claimedName: nil, reply: nil)
            }
        } catch {
            return .reject(reason: "bad hello: \(error)", claimedName: nil, reply: nil)
        }
    }

    func serve(_ accepted: AcceptedConnection) async {
        guard accepted.authentication != nil else {
            try? await accepted.connection.write(.payload(FileDaemonReply.ping))
            return
        }
        let name = accepted.connection.claimedName ?? ""
        var logger = self.logger
        logger[metadataKey: "director"] = "\(name)"
        logger[metadataKey: "peer"] = "\(accepted.connection.peer)"
        let monitor = configuration.directors.first { $0.name == name }?.monitor ?? false
        await DirectorSession(director: accepted.connection, daemon: self, monitor: monitor, logger: logger).run()
    }
}
