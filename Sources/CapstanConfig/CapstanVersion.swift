/// Capstan's version: what the programs print for `--version`, what volume labels record as the writing program,
/// and (`number`) the version of the Debian package, which `scripts/package` reads from this file.
public enum CapstanVersion {
    /// Major.minor.patch.
    public static let number = "0.9.0"
    /// The day this version was made.
    public static let released = "2 December 2026"
    /// The number and the day, as status reports and labels show them.
    public static let text = "\(number) (\(released))"
}
