/// The FileDaemon service (given its work by later issues).
public enum FileDaemonModule { public static let name = "FileDaemon" }
