import CapstanConfig
import Foundation

/// Checking a configuration file from a command line: the shared part of `capstan-sd -t`, `capstan config check`
/// and `capstan config show`.
public enum ConfigFileCheck {
    /// Exit status for a configuration with errors (sysexits EX_CONFIG); systemd units list it in
    /// `RestartPreventExitStatus=` so a broken file is not restarted in a loop.
    public static let configErrorExitCode: Int32 = 78

    /// Where the daemons look for a configuration file named without a directory when it is not in the
    /// working directory.
    public static let configDirectory = "/etc/capstan"

    /// The path to open for `-c NAME`: as given when it names a directory or exists; otherwise in the config directory.
    public static func resolve(_ path: String) -> String {
        if path.contains("/") || FileManager.default.fileExists(atPath: path) { return path }
        return configDirectory + "/" + path
    }

    /// Loads `path` for `kind` (detected when nil), prints every diagnostic to standard error and a one-line verdict.
    /// Returns the configuration when it has no errors.
    /// A file that does not exist is one line (`PATH: no such configuration file`), not a list of missing resources.
    public static func check(path: String, kind: DaemonKind?, quietWhenValid: Bool = false) -> Configuration? {
        let resolved = resolve(path)
        guard FileManager.default.fileExists(atPath: resolved) else {
            FileHandle.standardError.write(Data("\(resolved): no such configuration file (pass another with -c FILE)\n".utf8))
            return nil
        }
        let (configuration, diagnostics) = ConfigLoader.load(path: resolved, kind: kind, source: FileSystemConfigSource())
        for diagnostic in diagnostics.all {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        let errors = diagnostics.errors.count
        let warnings = diagnostics.warnings.count
        if errors > 0 {
            let summary = "\(resolved): \(errors) error\(errors == 1 ? "" : "s")"
                + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "")
                + " in this \(configuration.kind.displayName) configuration\n"
            FileHandle.standardError.write(Data(summary.utf8))
            return nil
        }
        if !quietWhenValid {
            let summary = "\(resolved): valid \(configuration.kind.displayName) configuration"
                + " (\(configuration.resources.count) resources\(warnings > 0 ? ", \(warnings) warnings" : ""))\n"
            FileHandle.standardError.write(Data(summary.utf8))
        }
        return configuration
    }
}
