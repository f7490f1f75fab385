import ArgumentParser
import CapstanCLI
import CapstanConfig
import FileDaemon
import Logging
import Net
import ServiceLifecycle

/// `capstan-fd`: the File daemon. Reads a Bacula FileDaemon configuration (an existing bacula-fd.conf works
/// unchanged); `-t` checks it.
public struct FileDaemonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "capstan-fd", abstract: "Capstan File daemon: backs up and restores this machine's files (port 9102).",
        version: CapstanVersion.number)

    @OptionGroup var options: DaemonOptions

    public init() {}

    public func run() async throws {
        guard
            let configuration = try options.loadConfiguration(
                defaultName: "capstan-fd.conf", kind: .fileDaemon, typed: { FileDaemonConfiguration($0) })
        else {
            return  // -t: the check was all
        }
        // The data path allocates and frees 64 KiB buffers on several threads; without these glibc hands the memory
        // back to the kernel and faults it in again for every packet.
        MallocTuning.keepFreedMemory(trimThreshold: 256 << 20, mmapThreshold: 32 << 20)
        var logger = DaemonLogging.bootstrap(debugLevel: options.debugLevel)
        logger[metadataKey: "component"] = "fd"
        let seconds = configuration.client.heartbeatInterval
        let connectionOptions = ConnectionOptions(heartbeatInterval: seconds > 0 ? .seconds(seconds) : nil, logger: logger)
        let notifier = SystemdNotifier()
        let name = configuration.client.name
        let daemon = FileDaemon(
            configuration: configuration, options: connectionOptions, logger: logger,
            lifecycle: FileDaemon.LifecycleEvents(
                ready: { ports in notifier.ready(status: "\(name) listening on port(s) \(ports.map(String.init).joined(separator: ", "))") },
                stopping: { notifier.stopping() }))
        try await DaemonServiceGroup.run(daemon, notifier: notifier, logger: logger)
    }
}
