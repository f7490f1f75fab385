import NIOCore

/// The bsock connection layer (filled in by the wire-protocol issue).
public enum Net {
    /// The default ports of the Bacula 9.6 daemons.
    public static let directorPort = 9101
    public static let fileDaemonPort = 9102
    public static let storageDaemonPort = 9103
}
