/// Which program a multi-call `capstan` binary runs, chosen by the name it was started under (`argv[0]`): the
/// Debian package installs one binary, /usr/bin/capstan, and /usr/sbin/capstan-sd, capstan-dir and capstan-fd as
/// symbolic links to it, so the Swift runtime and Foundation are on the disk once instead of four times.
public enum MultiCallProgram: String, Sendable, CaseIterable {
    case storageDaemon = "capstan-sd"
    case director = "capstan-dir"
    case fileDaemon = "capstan-fd"
    /// The console and tools, also for any name that is not a daemon's (e.g. a copy renamed by hand).
    case tools = "capstan"

    /// The program for `argumentZero`: its last path component names a daemon (`/usr/sbin/capstan-sd`,
    /// `capstan-fd`), or it is the console and tools.
    public init(argumentZero: String?) {
        let name = argumentZero?.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? ""
        self = MultiCallProgram(rawValue: name) ?? .tools
    }
}
