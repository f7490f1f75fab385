/// The File daemon's configuration with typed, defaulted fields: what capstan-fd reads at startup (an existing
/// bacula-fd.conf works unchanged). Built only from a configuration that checked without errors.
public struct FileDaemonConfiguration: Equatable, Sendable {
    public struct Client: Equatable, Sendable {
        public var name: String
        /// Where to listen: `FD Addresses`, else `FD Address`:`FD Port`, else every address on `FD Port`.
        public var listenAddresses: [ListenAddress]
        public var workingDirectory: String
        public var pidDirectory: String
        public var maximumConcurrentJobs: Int
        /// Seconds; 0 disables heartbeats.
        public var heartbeatInterval: Int64
        /// Seconds the FD keeps trying to reach the SD.
        public var storageConnectTimeout: Int64
        /// Bytes per data packet to the SD; 0 means Bacula's 65536.
        public var maximumNetworkBufferSize: Int
        public var sourceAddress: String?
        /// `Maximum Bandwidth Per Job` in bytes per second; 0 is no limit. Caps every job, also one the Director
        /// gave a higher `setbandwidth`.
        public var maximumBandwidthPerJob: Int64 = 0
        /// TLS towards the Storage daemon (this FD is the TLS client there, spec §2.7).
        public var tls = TLSDirectives()
    }

    /// A Director allowed to connect; a `monitor` one may only ask for status.
    public struct Director: Equatable, Sendable {
        public var name: String
        public var password: String
        public var monitor: Bool
        /// TLS on this Director's connections (this FD is the TLS server there).
        public var tls: TLSDirectives

        public init(name: String, password: String, monitor: Bool, tls: TLSDirectives = TLSDirectives()) {
            self.name = name
            self.password = password
            self.monitor = monitor
            self.tls = tls
        }
    }

    public var client: Client
    public var directors: [Director]
    public var messages: [Resource]

    /// Reads a checked File daemon configuration; nil without its FileDaemon resource.
    public init?(_ configuration: Configuration) {
        guard configuration.kind == .fileDaemon, let client = configuration.resources(ofType: "FileDaemon").first else {
            return nil
        }
        let port = Int(client.integer("FD Port") ?? 9102)
        var listen: [ListenAddress] = []
        if case .addresses(let addresses)? = client.value("FD Addresses") { listen = addresses }
        if listen.isEmpty {
            listen = [ListenAddress(family: .any, host: client.string("FD Address") ?? "0.0.0.0", port: port)]
        }
        self.client = Client(
            name: client.name, listenAddresses: listen, workingDirectory: client.string("Working Directory") ?? "",
            pidDirectory: client.string("Pid Directory") ?? "",
            maximumConcurrentJobs: Int(client.integer("Maximum Concurrent Jobs") ?? 20),
            heartbeatInterval: client.duration("Heartbeat Interval") ?? HeartbeatDefault.seconds,
            storageConnectTimeout: client.duration("SD Connect Timeout") ?? 1800,
            maximumNetworkBufferSize: Int(client.integer("Maximum Network Buffer Size") ?? 0),
            sourceAddress: client.string("FD Source Address"),
            maximumBandwidthPerJob: Int64(clamping: client.speed("Maximum Bandwidth Per Job") ?? 0), tls: TLSDirectives(client))
        directors = configuration.resources(ofType: "Director").map {
            Director(
                name: $0.name, password: $0.string("Password") ?? "", monitor: $0.bool("Monitor") ?? false,
                tls: TLSDirectives($0))
        }
        messages = configuration.resources(ofType: "Messages")
    }
}
