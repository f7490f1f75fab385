import BaculaWire
import CapstanConfig
import Discovery
import Foundation
import Logging
import Metrics
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
    let jobs: JobRegistry
    let volumes: VolumeManager
    /// The last TapeAlert reading of each tape drive (`status`, metrics).
    let driveHealth: DriveHealth
    let lifecycle: LifecycleEvents
    /// The TLS settings (or why they could not be loaded: `run()` then fails at once).
    let tlsSetup: Result<StorageTLS, TLSSettings.SetupError>

    /// What the daemon tells its supervisor (systemd's sd_notify in capstan-sd; nothing in tests).
    public struct LifecycleEvents: Sendable {
        /// Every listener is bound: the ports, in configuration order.
        public var ready: @Sendable ([Int]) -> Void
        /// A graceful shutdown began.
        public var stopping: @Sendable () -> Void
        /// What the daemon is doing, every few seconds while it runs (`STATUS=` for systemd).
        public var status: (@Sendable (String) -> Void)?

        public init(
            ready: @escaping @Sendable ([Int]) -> Void = { _ in }, stopping: @escaping @Sendable () -> Void = {},
            status: (@Sendable (String) -> Void)? = nil
        ) {
            self.ready = ready
            self.stopping = stopping
            self.status = status
        }
    }

    public init(
        configuration: StorageDaemonConfiguration, options: ConnectionOptions, logger: Logger,
        lifecycle: LifecycleEvents = LifecycleEvents()
    ) {
        self.lifecycle = lifecycle
        self.configuration = configuration
        self.tlsSetup = StorageTLS.make(configuration)
        self.started = Date()
        self.options = options
        var logger = logger
        logger[metadataKey: "daemon"] = "\(configuration.storage.name)"
        self.logger = logger
        self.jobs = JobRegistry(startedAt: started)
        let driveHealth = DriveHealth(logger: logger)
        self.driveHealth = driveHealth
        self.volumes = VolumeManager(configuration: configuration, jobs: self.jobs, driveHealth: driveHealth, logger: logger)
    }

    /// Binds every listen address first (so a port conflict fails start-up), then reports `ready` with the bound
    /// ports and serves until the task is cancelled or a graceful shutdown is requested.
    public func run() async throws {
        let tls = try tlsSetup.get()
        CrashRecovery.removeStaleSpoolFiles(configuration: configuration, logger: logger)
        var servers: [BsockServer] = []
        for address in configuration.storage.listenAddresses {
            let server = try await BsockServer.bind(host: address.host, port: address.port, options: options)
            servers.append(server)
            logger.info("listening", metadata: ["address": "\(address.host):\(server.localAddress?.port ?? address.port)"])
        }
        var metrics: MetricsServer?
        if configuration.storage.metricsPort > 0 {
            metrics = try await MetricsServer.start(
                host: configuration.storage.metricsAddress, port: configuration.storage.metricsPort, logger: logger,
                render: { [weak self] in await self?.metricsText() ?? "" })
        }
        let metricsServer = metrics
        lifecycle.ready(servers.compactMap { $0.localAddress?.port })
        let listeners = servers
        let router = ConnectionRouter(configuration: configuration, directorTLS: tls.directors)
        let jobs = self.jobs
        let daemon = self
        let discovery = startDiscovery()
        defer { discovery?.following.cancel() }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                if let discovery {
                    let volumes = self.volumes
                    group.addTask {
                        await cancelWhenGracefulShutdown { await volumes.follow(discovery.registry, jobs: jobs) }
                    }
                }
                if let report = lifecycle.status {
                    group.addTask {
                        try? await cancelWhenGracefulShutdown {
                            while !Task.isCancelled {
                                try await Task.sleep(for: .seconds(5))
                            let running = jobs.running()
                            report(
                                "\(daemon.configuration.storage.name): \(running.count) job(s) running"
                                    + (running.isEmpty ? "" : " (" + running.map { "JobId \($0.jobId) \(StatusReport.grouped($0.bytes)) bytes" }.joined(separator: ", ") + ")")
                                    + "; \(jobs.jobsRun()) run since start")
                            }
                        }
                    }
                }
                for server in listeners {
                    group.addTask {
                        try await server.run(
                            decide: { hello, peer in
                                router.decide(hello: hello, jobKey: { jobs.key(forJob: $0) }).0
                            },
                            handler: { accepted in
                                try await daemon.serve(accepted, router: router)
                            })
                    }
                }
            }
        } onGracefulShutdown: { [lifecycle, jobs, logger] in
            lifecycle.stopping()
            // Running jobs fail cleanly: their clients are disconnected, so each closes its session on the volume
            // (EOS with an error status) at a block boundary before the daemon exits.
            let canceled = jobs.cancelAll()
            if canceled > 0 { logger.warning("shutting down: \(canceled) running job(s) canceled") }
            Task {
                for server in listeners { await server.close() }
                await metricsServer?.close()
            }
        }
        logger.info("stopped")
    }

    /// Follows udev for the st drives of the configuration (none: nothing to follow). Without udev (no /run/udev,
    /// a container) drives are opened by their configured paths and hotplug is not seen; that is logged.
    private func startDiscovery() -> (registry: DeviceRegistry, following: Task<Void, Never>)? {
        let drives = ConfiguredDrive.all(in: configuration)
        guard !drives.isEmpty else { return nil }
        do {
            let (registry, following) = try DeviceRegistry.start(devices: drives)
            logger.info("following udev for \(drives.count) tape drive(s), tracked by serial")
            return (registry, following)
        } catch {
            logger.warning("udev is not available (\(error)): drives are opened by their configured paths, hotplug is not followed")
            return nil
        }
    }

    func serve(_ accepted: AcceptedConnection, router: ConnectionRouter) async throws {
        let (_, peer) = router.decide(hello: accepted.hello, jobKey: { _ in "" })
        switch peer {
        case .director(let name)?:
            let version = (try? DirectorHelloToStorageDaemon(parsing: accepted.hello))?.version ?? 0
            accepted.connection.compressOutgoing = configuration.storage.commCompression
                && CommCompression.allowed(sender: .storageDaemon, receiver: .director, peerVersion: version)
            var logger = self.logger
            logger[metadataKey: "director"] = "\(name)"
            logger[metadataKey: "peer"] = "\(accepted.connection.peer)"
            let session = DirectorSession(connection: accepted.connection, daemon: self, logger: logger)
            await session.run()
        case .fileDaemon(let job)?:
            var logger = self.logger
            logger[metadataKey: "job"] = "\(job)"
            logger[metadataKey: "peer"] = "\(accepted.connection.peer)"
            await FileDaemonSession(connection: accepted.connection, daemon: self, logger: logger).run(hello: accepted.hello)
        case nil:
            return
        }
    }

    /// A snapshot for `status`.
    /// Bytes in the spool files of `device` (named `<SD>.data.<JobId>.<Job>.<Device>.spool`).
    static func spoolBytes(in directory: String, device: String) -> UInt64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".\(device).spool") }.reduce(0) { sum, name in
            sum + ((((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size]) as? NSNumber)?.uint64Value ?? 0)
        }
    }

    func statusReport() async -> StatusReport {
        var devices: [StatusReport.DeviceState] = []
        let offline = await volumes.offlineDevices()
        for device in configuration.devices {
            var state = StatusReport.DeviceState(device: device)
            if let drive = await volumes.driveState(device: device.name) {
                state.mountedVolume = drive.volume
                state.bytesWritten = UInt64(max(0, drive.statistics?.bytes ?? 0))
                state.underruns = drive.statistics?.underruns ?? 0
                state.rate = drive.statistics?.currentRate ?? 0
                state.spoolMemoryBytes = UInt64(max(0, drive.spoolMemory))
            }
            state.attachedJobs = jobs.running().filter { $0.device == device.name }.map(\.jobId)
            state.offlineReason = offline[device.name]
            state.spoolBytes = device.spoolDirectory.map { Self.spoolBytes(in: $0, device: device.name) } ?? 0
            state.tapeAlerts = await driveHealth.flags(device: device.name) ?? []
            devices.append(state)
        }
        return StatusReport(
            daemonName: configuration.storage.name, started: started, jobsRun: jobs.jobsRun(), running: jobs.running(),
            devices: devices)
    }
}
