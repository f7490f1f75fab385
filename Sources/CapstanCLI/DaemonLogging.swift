import Logging

/// Logging for the daemons: swift-log to standard error (journald picks it up under systemd), with the level from
/// `-d` (0: info; 1–99: debug; 100 and more: trace).
public enum DaemonLogging {
    public static func bootstrap(debugLevel: Int) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = debugLevel >= 100 ? .trace : debugLevel > 0 ? .debug : .info
            return handler
        }
        return Logger(label: "capstan")
    }
}
