/// The Storage daemon's configuration with typed, defaulted fields: what capstan-sd reads at startup.
/// Built only from a configuration that checked without errors.
public struct StorageDaemonConfiguration: Equatable, Sendable {
    public struct Storage: Equatable, Sendable {
        public var name: String
        /// Where to listen: `SD Addresses`, else `SD Address`:`SD Port`, else every address on `SD Port`.
        public var listenAddresses: [ListenAddress]
        public var workingDirectory: String
        public var pidDirectory: String
        public var maximumConcurrentJobs: Int
        /// Seconds; 0 disables heartbeats.
        public var heartbeatInterval: Int64
        public var clientConnectTimeout: Int64
        public var commCompression: Bool
        public var messages: String?
        /// Prometheus metrics over HTTP (a Capstan extension); 0 = off.
        public var metricsPort: Int = 0
        public var metricsAddress: String = "127.0.0.1"
        /// Seconds a peer has for each step of the hello and CRAM-MD5 handshake before the connection is closed (a
        /// Capstan extension, `Handshake Timeout`): a peer that never finishes cannot hold a socket for long.
        public var handshakeTimeout: Int64 = 60
        /// TLS towards the File daemons (and peer SDs) that connect for a job's data (spec §2.7).
        public var tls = TLSDirectives()
    }

    /// A Director allowed to connect, with the password it authenticates with.
    public struct Director: Equatable, Sendable {
        public var name: String
        public var password: String
        public var monitor: Bool
        /// TLS on this Director's connections (spec §2.7).
        public var tls: TLSDirectives

        public init(name: String, password: String, monitor: Bool, tls: TLSDirectives = TLSDirectives()) {
            self.name = name
            self.password = password
            self.monitor = monitor
            self.tls = tls
        }
    }

    public struct Device: Equatable, Sendable {
        public var name: String
        public var mediaType: String
        public var archiveDevice: String
        public var deviceType: String?
        public var labelMedia: Bool
        public var automaticMount: Bool
        public var alwaysOpen: Bool
        public var removableMedia: Bool
        public var randomAccess: Bool
        public var autochanger: Bool
        public var driveIndex: Int
        /// Bytes; 0 means Bacula's default of 64512.
        public var maximumBlockSize: UInt64
        public var minimumBlockSize: UInt64
        public var maximumFileSize: UInt64
        public var maximumVolumeSize: UInt64
        public var spoolDirectory: String?
        public var maximumSpoolSize: UInt64
        public var maximumJobSpoolSize: UInt64
        public var maximumConcurrentJobs: Int
        public var hardwareEndOfMedium: Bool
        public var fastForwardSpaceFile: Bool
        public var bsfAtEndOfMedium: Bool
        public var twoEndOfFileMarks: Bool
        public var changerDevice: String?
        public var changerCommand: String?
        /// Seconds a drive may take to come online after a changer load (Maximum Changer Wait, default 300).
        public var maximumChangerWait: Int64 = 300
        /// Capstan test directive `Fail Write At Block = N` (virtual tapes only, 0 = off): once per daemon run, the
        /// write of a cartridge's record N (counting every record on it from 0, the volume label included) fails
        /// with EIO, as a drive with a medium error would. For fault tests; never set in production.
        public var failWriteAtBlock: Int = 0
        /// Capstan's `Maximum Tape Rate` (virtual tapes only; bytes per second, 0 = as fast as the disk): the
        /// emulated drive's native streaming rate. Writes wait for the emulated drive buffer like a real drive's.
        public var maximumTapeRate: UInt64 = 0
        /// `Minimum Tape Rate`: the slowest speed the emulated drive streams at (speed matching); data coming
        /// slower lets its buffer run empty and the drive stops (an underrun while a job streams). 0 = the
        /// maximum (no speed matching).
        public var minimumTapeRate: UInt64 = 0
        /// `Tape Buffer Size`: the emulated drive's buffer (default 16 MiB).
        public var tapeBufferSize: UInt64 = 16 << 20
        /// Capstan's `Spool Memory Size` (default 16 MiB): spooled blocks of all the device's jobs together that may
        /// wait in memory instead of the spool file; while the drive keeps up, a spooled job's blocks pass through
        /// it and the spool file is neither written nor read. 0: every spooled block goes through the spool file.
        public var spoolMemorySize: UInt64 = 16 << 20

        /// The block size the volume writer uses: Maximum Block Size, or 64512 when it is 0.
        public var effectiveBlockSize: Int { maximumBlockSize == 0 ? 64_512 : Int(maximumBlockSize) }
    }

    public struct Autochanger: Equatable, Sendable {
        public var name: String
        public var devices: [String]
        public var changerDevice: String
        public var changerCommand: String
    }

    public var storage: Storage
    public var directors: [Director]
    /// Devices with `Autochanger = yes` set for those an Autochanger lists, and the changer's device and command
    /// filled in where the Device has none (as Bacula does at startup).
    public var devices: [Device]
    public var autochangers: [Autochanger]
    public var messages: [Resource]

    /// Reads the typed fields of a checked Storage daemon configuration. Returns nil when it lacks its Storage resource.
    public init?(_ configuration: Configuration) {
        guard configuration.kind == .storage, let storage = configuration.resources(ofType: "Storage").first else {
            return nil
        }
        let port = Int(storage.integer("SD Port") ?? 9103)
        var listen: [ListenAddress]
        if case .addresses(let addresses)? = storage.value("SD Addresses") {
            listen = addresses
        } else {
            listen = [ListenAddress(family: .any, host: storage.string("SD Address") ?? "0.0.0.0", port: port)]
        }
        if listen.isEmpty { listen = [ListenAddress(family: .any, host: "0.0.0.0", port: port)] }
        self.storage = Storage(
            name: storage.name, listenAddresses: listen, workingDirectory: storage.string("Working Directory") ?? "",
            pidDirectory: storage.string("Pid Directory") ?? "",
            maximumConcurrentJobs: Int(storage.integer("Maximum Concurrent Jobs") ?? 20),
            heartbeatInterval: storage.duration("Heartbeat Interval") ?? HeartbeatDefault.seconds,
            clientConnectTimeout: storage.duration("Client Connect Timeout") ?? 1800,
            commCompression: storage.bool("Comm Compression") ?? true, messages: storage.string("Messages"),
            metricsPort: Int(storage.integer("Metrics Port") ?? 0), metricsAddress: storage.string("Metrics Address") ?? "127.0.0.1",
            handshakeTimeout: storage.duration("Handshake Timeout") ?? 60, tls: TLSDirectives(storage))
        directors = configuration.resources(ofType: "Director").map {
            Director(
                name: $0.name, password: $0.string("Password") ?? "", monitor: $0.bool("Monitor") ?? false,
                tls: TLSDirectives($0))
        }
        autochangers = configuration.resources(ofType: "Autochanger").map {
            Autochanger(
                name: $0.name, devices: $0.names("Device"), changerDevice: $0.string("Changer Device") ?? "",
                changerCommand: $0.string("Changer Command") ?? "")
        }
        let changers = autochangers
        devices = configuration.resources(ofType: "Device").map { device in
            let changer = changers.first { $0.devices.contains(device.name) }
            return Device(
                name: device.name, mediaType: device.string("Media Type") ?? "",
                archiveDevice: device.string("Archive Device") ?? "", deviceType: device.string("Device Type"),
                labelMedia: device.bool("Label Media") ?? false, automaticMount: device.bool("Automatic Mount") ?? false,
                alwaysOpen: device.bool("Always Open") ?? true, removableMedia: device.bool("Removable Media") ?? true,
                randomAccess: device.bool("Random Access") ?? false,
                autochanger: changer != nil || (device.bool("Autochanger") ?? false),
                driveIndex: Int(device.integer("Drive Index") ?? 0),
                maximumBlockSize: device.size("Maximum Block Size") ?? 0,
                minimumBlockSize: device.size("Minimum Block Size") ?? 0,
                maximumFileSize: device.size("Maximum File Size") ?? 1_000_000_000,
                maximumVolumeSize: device.size("Maximum Volume Size") ?? 0,
                spoolDirectory: device.string("Spool Directory"),
                maximumSpoolSize: device.size("Maximum Spool Size") ?? 0,
                maximumJobSpoolSize: device.size("Maximum Job Spool Size") ?? 0,
                maximumConcurrentJobs: Int(device.integer("Maximum Concurrent Jobs") ?? 0),
                hardwareEndOfMedium: device.bool("Hardware End of Medium") ?? true,
                fastForwardSpaceFile: device.bool("Fast Forward Space File") ?? true,
                bsfAtEndOfMedium: device.bool("BSF at EOM") ?? false, twoEndOfFileMarks: device.bool("Two EOF") ?? false,
                changerDevice: device.string("Changer Device") ?? changer?.changerDevice,
                changerCommand: device.string("Changer Command") ?? changer?.changerCommand)
        }
        for (index, device) in configuration.resources(ofType: "Device").enumerated() where index < devices.count {
            devices[index].maximumChangerWait = device.duration("Maximum Changer Wait") ?? 300
            devices[index].failWriteAtBlock = Int(device.integer("Fail Write At Block") ?? 0)
            devices[index].maximumTapeRate = device.speed("Maximum Tape Rate") ?? 0
            devices[index].minimumTapeRate = device.speed("Minimum Tape Rate") ?? 0
            devices[index].tapeBufferSize = device.size("Tape Buffer Size") ?? 16 << 20
            devices[index].spoolMemorySize = device.size("Spool Memory Size") ?? 16 << 20
        }
        messages = configuration.resources(ofType: "Messages")
    }
}
