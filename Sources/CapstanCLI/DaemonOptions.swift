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

    /// The daemon's configuration: `configPath(defaultName:)` checked for `kind` (every diagnostic printed, as
    /// `ConfigFileCheck.check` does) and typed by `typed`. Nil after `-t`, whose check is all that was asked; throws
    /// exit status 78 (`ConfigFileCheck.configErrorExitCode`) when the file is missing, has errors or does not type.
    public func loadConfiguration<Typed>(defaultName: String, kind: DaemonKind, typed: (Configuration) -> Typed?)
        throws -> Typed?
    {
        let path = configPath(defaultName: defaultName)
        guard let checked = ConfigFileCheck.check(path: path, kind: kind, quietWhenValid: !testConfiguration),
            let configuration = typed(checked)
        else {
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        return testConfiguration ? nil : configuration
    }
}
