/// The StorageDaemon service (given its work by later issues).
public enum StorageDaemonModule { public static let name = "StorageDaemon" }
