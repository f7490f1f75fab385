import ServiceLifecycle

/// Keeps systemd's watchdog fed (`WatchdogSec=`) for as long as the daemon's service group runs.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier

    public init(notifier: SystemdNotifier) {
        self.notifier = notifier
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await notifier.keepAlive()
        }
    }
}
