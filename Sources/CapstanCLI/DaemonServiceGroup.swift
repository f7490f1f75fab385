import Logging
import ServiceLifecycle

/// How every Capstan daemon runs: its service, the services it needs beside it (whose normal end is ignored), and
/// systemd's watchdog (`WatchdogService`), all shut down gracefully on SIGTERM or SIGINT.
public enum DaemonServiceGroup {
    /// Runs until `daemon` ends or a signal shuts the group down; throws what a service threw.
    public static func run(
        _ daemon: any Service, beside others: [any Service] = [], notifier: SystemdNotifier, logger: Logger
    ) async throws {
        let companions = others + [WatchdogService(notifier: notifier)]
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [.init(service: daemon)] + companions.map { .init(service: $0, successTerminationBehavior: .ignore) }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
