/// The bsock connection layer: frames over SwiftNIO, CRAM-MD5 in both roles, heartbeats (spec §1, §2, §4).
public enum Net {
    /// The default ports of the Bacula 9.6 daemons.
    public static let directorPort = 9101
    public static let fileDaemonPort = 9102
    public static let storageDaemonPort = 9103
}
