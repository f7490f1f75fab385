import BaculaWire

/// Director → SD of a Copy/Migrate write job (spec §3.3) [WIRE]: `storage address=%s port=%d ssl=%d Job=%s
/// Authentication=%s\n`. The SD connects to `address:port` as a File daemon would, presenting the read job's name
/// and key, and answers `2000 OK storage\n` once authenticated.
public struct StoragePeerCommand: Hashable, Sendable {
    public var address: String
    public var port: Int32
    public var ssl: Int32
    /// The read job's unique name (unbashed).
    public var job: String
    /// The read job's key (its `Authorization=` in `3000 OK Job`).
    public var authentication: String

    public init(address: String, port: Int32, ssl: Int32, job: String, authentication: String) {
        self.address = address
        self.port = port
        self.ssl = ssl
        self.job = job
        self.authentication = authentication
    }

    public var bytes: [UInt8] {
        Array(
            "storage address=\(address) port=\(port) ssl=\(ssl) Job=\(BashedName.bash(job)) Authentication=\(authentication)\n"
                .utf8)
    }
}
