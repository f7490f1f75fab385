import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import CapstanCLI
import CapstanConfig
import Logging
import Net
import ServiceLifecycle
import StorageDaemon

/// `capstan-sd`: the Storage daemon. Reads a Bacula SD configuration (an existing bacula-sd.conf works unchanged).
public struct StorageDaemonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "capstan-sd",
        abstract: "Capstan Storage daemon: receives backups on port 9103 and writes Bacula 9.6 volumes.",
        version: CapstanVersion.number)

    @OptionGroup var options: DaemonOptions

    /// `tcp`: a Copy/Migrate whose read job runs in this daemon too goes through a loopback socket as with another
    /// SD, instead of the in-memory link (for tests and before/after measurements; same as CAPSTAN_PEER_LINK=tcp).
    @Option(name: .customLong("peer-link"), help: .hidden) var peerLink: String?

    public init() {}

    public func run() async throws {
        guard
            let configuration = try options.loadConfiguration(
                defaultName: "capstan-sd.conf", kind: .storage, typed: { StorageDaemonConfiguration($0) })
        else {
            return  // -t: the check was all
        }
        // Frames' payloads churn through the event loops' arenas: each keeps up to 2 MiB free (page faults of a
        // 20,000-file backup 11,000 -> 1,500; the 32-job peak RSS unchanged, 85-86 MiB; 8 MiB raised it to 94).
        MallocTuning.keepFreedMemory(trimThreshold: 2 << 20, mmapThreshold: 4 << 20)
        if let peerLink {
            guard peerLink == "tcp" || peerLink == "memory" else {
                throw ValidationError("--peer-link is tcp or memory, not \"\(peerLink)\"")
            }
            setenv("CAPSTAN_PEER_LINK", peerLink, 1)
        }
        var logger = DaemonLogging.bootstrap(debugLevel: options.debugLevel)
        logger[metadataKey: "component"] = "sd"
        let seconds = configuration.storage.heartbeatInterval
        let connectionOptions = ConnectionOptions(
            heartbeatInterval: seconds > 0 ? .seconds(seconds) : nil,
            authenticationStepTimeout: .seconds(max(1, configuration.storage.handshakeTimeout)), logger: logger)
        let notifier = SystemdNotifier()
        let name = configuration.storage.name
        let lifecycle = StorageDaemon.LifecycleEvents(
            ready: { ports in
                notifier.ready(status: "\(name) listening on port\(ports.count == 1 ? "" : "s") \(ports.map(String.init).joined(separator: ", ")); no jobs running")
            },
            stopping: { notifier.stopping() },
            status: statusReporter(notifier))
        let daemon = StorageDaemon(configuration: configuration, options: connectionOptions, logger: logger, lifecycle: lifecycle)
        try await DaemonServiceGroup.run(daemon, notifier: notifier, logger: logger)
    }
}

/// Sends `STATUS=` lines when systemd listens (nil otherwise, so the daemon does not compute them).
func statusReporter(_ notifier: SystemdNotifier) -> (@Sendable (String) -> Void)? {
    guard notifier.socketPath != nil else { return nil }
    return { text in notifier.status(text) }
}
