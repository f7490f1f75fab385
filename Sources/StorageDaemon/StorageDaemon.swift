import BaculaWire
import CapstanConfig
import Foundation
import Logging
import Net
import ServiceLifecycle
import Synchronization

/// The Storage daemon: listens on its SD addresses, serves Directors and File daemons. One `run()`; a graceful
/// shutdown (SIGTERM through the service group) stops the listeners and ends the connections.
public final class StorageDaemon: Service, Sendable {
    public let configuration: StorageDaemonConfiguration
    public let started: Date
    let options: ConnectionOptions
    let logger: Logger
    let state: DaemonState
    let lifecycle: LifecycleEvents

    /// What the daemon tells its supervisor (systemd's sd_notify in capstan-sd; nothing in tests).
    public struct LifecycleEvents: Sendable {
        /// Every listener is bound: the ports, in configuration order.
        public var ready: @Sendable ([Int]) -> Void
        /// A graceful shutdown began.
        public var stopping: @Sendable () -> Void

        public init(ready: @escaping @Sendable ([Int]) -> Void = { _ in }, stopping: @escaping @Sendable () -> Void = {}) {
            self.ready = ready
            self.stopping = stopping
        }
    }

    public init(
        configuration: StorageDaemonConfiguration, options: ConnectionOptions, logger: Logger,
        lifecycle: LifecycleEvents = LifecycleEvents()
    ) {
        self.lifecycle = lifecycle
        self.configuration = configuration
        self.started = Date()
        self.options = options
        var logger = logger
        logger[metadataKey: "daemon"] = "\(configuration.storage.name)"
        self.logger = logger
        self.state = DaemonState(devices: configuration.devices)
    }

    /// Binds every listen address first (so a port conflict fails start-up), then reports `ready` with the bound
    /// ports and serves until the task is cancelled or a graceful shutdown is requested.
    public func run() async throws {
        var servers: [BsockServer] = []
        for address in configuration.storage.listenAddresses {
            let server = try await BsockServer.bind(host: address.host, port: address.port, options: options)
            servers.append(server)
            logger.info("listening", metadata: ["address": "\(address.host):\(server.localAddress?.port ?? address.port)"])
        }
        lifecycle.ready(servers.compactMap { $0.localAddress?.port })
        let listeners = servers
        let router = ConnectionRouter(configuration: configuration)
        let state = self.state
        let daemon = self
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for server in listeners {
                    group.addTask {
                        try await server.run(
                            decide: { hello, peer in
                                router.decide(hello: hello, jobKey: { state.jobKey(forJob: $0) }).0
                            },
                            handler: { accepted in
                                try await daemon.serve(accepted, router: router)
                            })
                    }
                }
            }
        } onGracefulShutdown: { [lifecycle] in
            lifecycle.stopping()
            Task { for server in listeners { await server.close() } }
        }
        logger.info("stopped")
    }

    func serve(_ accepted: AcceptedConnection, router: ConnectionRouter) async throws {
        let (_, peer) = router.decide(hello: accepted.hello, jobKey: { state.jobKey(forJob: $0) })
        switch peer {
        case .director(let name)?:
            let version = (try? DirectorHelloToStorageDaemon(parsing: accepted.hello))?.version ?? 0
            accepted.connection.compressOutgoing = configuration.storage.commCompression
                && CommCompression.allowed(sender: .storageDaemon, receiver: .director, peerVersion: version)
            var logger = self.logger
            logger[metadataKey: "director"] = "\(name)"
            logger[metadataKey: "peer"] = "\(accepted.connection.peer)"
            try await DirectorConnection(connection: accepted.connection, daemon: self, logger: logger).serve()
        case .fileDaemon(let job)?:
            logger.warning("File daemon connected for job \(job), but this daemon does not run jobs yet")
        case nil:
            return
        }
    }

    /// A snapshot for `status`.
    func statusReport() -> StatusReport {
        StatusReport(
            daemonName: configuration.storage.name, started: started, jobsRun: state.jobsRun(), running: [],
            devices: configuration.devices.map { StatusReport.DeviceState(device: $0) })
    }
}

/// What the daemon's connections share: the job table. Guarded by one lock; every access is short.
final class DaemonState: Sendable {
    private struct Jobs {
        var keys: [String: String] = [:]
        var run = 0
    }

    private let jobs = Mutex(Jobs())
    let devices: [StorageDaemonConfiguration.Device]

    init(devices: [StorageDaemonConfiguration.Device]) {
        self.devices = devices
    }

    /// The authorization key of a job that waits for its File daemon.
    func jobKey(forJob name: String) -> String? { jobs.withLock { $0.keys[name] } }

    func jobsRun() -> Int { jobs.withLock { $0.run } }
}
