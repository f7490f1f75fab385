import ArgumentParser
import CapstanConfig

/// The options every Capstan daemon takes, spelled as Bacula's daemons spell them.
public struct DaemonOptions: ParsableArguments {
    @Option(name: .customShort("c"), help: ArgumentHelp("Configuration file (a Bacula resource file).", valueName: "file"))
    public var config: String?

    @Flag(name: .customShort("t"), help: "Test the configuration: print every error and exit (0 when valid).")
    public var testConfiguration = false

    @Flag(name: .customShort("f"), help: "Run in the foreground (the only mode; kept for Bacula compatibility).")
    public var foreground = false

    @Option(name: .customShort("d"), help: ArgumentHelp("Debug level (0 = info; 1-99 more detail).", valueName: "level"))
    public var debugLevel: Int = 0

    public init() {}

    /// The configuration file to read: `-c`, or the daemon's default under /etc/capstan.
    public func configPath(defaultName: String) -> String {
        config ?? ConfigFileCheck.configDirectory + "/" + defaultName
    }
}
