import CapstanConfig
import Catalog

/// bacula-dir.conf as the Director uses it: typed resources with Bacula 9.6's defaults, Job directives inherited
/// from their JobDefs. Built from a checked `Configuration` (the schema already refused unknown names and types).
public struct DirectorConfiguration: Sendable {
    public struct Director: Sendable {
        public var name: String
        public var password: String
        public var port: Int
        public var addresses: [String]
        public var workingDirectory: String
        public var messages: String?
        public var maximumConcurrentJobs: Int
        public var heartbeatInterval: Int64
        public var fileDaemonConnectTimeout: Int64
        /// TLS towards consoles (the Director is the TLS server there, spec §2.7).
        public var tls = TLSDirectives()
    }

    public struct Client: Sendable {
        public var name: String
        public var address: String
        public var port: Int
        public var password: String
        public var fileRetention: Int64
        public var jobRetention: Int64
        public var autoPrune: Bool
        public var maximumConcurrentJobs: Int
        public var heartbeatInterval: Int64
        /// TLS towards this Client's FD (the Director is the TLS client).
        public var tls = TLSDirectives()
        /// `Maximum Bandwidth Per Job` (bytes per second, 0 for none): the limit of a job whose Job sets none.
        public var maximumBandwidthPerJob: Int64 = 0
    }

    public struct Storage: Sendable {
        public var name: String
        public var address: String
        public var fileDaemonAddress: String?
        public var port: Int
        public var password: String
        public var devices: [String]
        public var mediaType: String
        public var autochanger: Bool
        public var maximumConcurrentJobs: Int
        public var heartbeatInterval: Int64
        /// TLS towards this Storage daemon (the Director is the TLS client).
        public var tls = TLSDirectives()
    }

    public struct Pool: Sendable {
        public var name: String
        public var definition: PoolDefinition
        public var storage: [String]
        public var recycleOldest: Bool
        public var purgeOldest: Bool
        public var catalogFiles: Bool
    }

    public struct Job: Sendable {
        public var name: String
        public var type: String
        public var level: String
        public var client: String
        public var fileSet: String
        public var pool: String
        public var fullPool: String?
        public var incrementalPool: String?
        public var differentialPool: String?
        public var storage: [String]
        public var messages: String
        public var schedule: String?
        public var priority: Int
        /// `Allow Mixed Priority`: this job may start beside running jobs of a worse priority when they all allow
        /// it too.
        public var allowMixedPriority: Bool
        public var maximumConcurrentJobs: Int
        public var spoolData: Bool
        /// `Spool Attributes` as written in the Job or its JobDefs; nil when neither says, and then the job asks
        /// for spooled attributes, as bacula-dir does (docs/director.md: with the real bacula-sd, attributes sent
        /// while the backup runs arrive one small packet each and cost capstan-dir 4x the CPU of a despool).
        public var spoolAttributes: Bool?
        public var accurate: Bool
        public var writeBootstrap: String?
        public var where_: String?
        public var replace: String
        public var regexWhere: String?
        public var stripPrefix: String?
        public var addPrefix: String?
        public var addSuffix: String?
        public var allowDuplicateJobs: Bool
        public var maximumRunTime: Int64
        public var rescheduleOnError: Bool
        public var rescheduleInterval: Int64
        public var rescheduleTimes: Int
        public var prefixLinks: Bool
        public var enabled: Bool
        /// Run Before/After Job, Client Run Before/After Job, RunScript…: the Job's own, or else its JobDefs'.
        public var scripts: [JobScript] = []
        /// `Maximum Bandwidth` (bytes per second, 0 for none), sent to the File daemon as `setbandwidth`.
        public var maximumBandwidth: Int64 = 0
        /// Max Start Delay, Max Run Sched Time and the level's Max Run Times (Max Run Time is `maximumRunTime`).
        public var timeLimits = JobTimeLimits()
        /// `Max Full Interval` / `Max Diff Interval` (seconds, 0 for none): `LevelUpgrade`.
        public var maxFullInterval: Int64 = 0
        public var maxDiffInterval: Int64 = 0
        /// `Rerun Failed Levels`: a Full or Differential that failed since the last good job sets the level.
        public var rerunFailedLevels = false
        /// `Prune Files` / `Prune Jobs` (prune after the job whatever the Client's AutoPrune) and `Prune Volumes`.
        public var pruneFiles = false
        public var pruneJobs = false
        public var pruneVolumes = false
        /// `Spool Size` (bytes, 0 for none): sent to the Storage daemon, where it bounds this job's spool in place
        /// of the device's Maximum Job Spool Size.
        public var spoolSize: UInt64 = 0
        /// `Prefer Mounted Volumes` (default yes): sent to the Storage daemon, which then gives the job a drive that
        /// already has a volume of its pool mounted rather than an idle one (no: the least busy drive).
        public var preferMountedVolumes = true
    }

    public struct FileSet: Sendable {
        public var name: String
        public var enableVSS: Bool
        public var includes: [ConfigBlock]
        public var excludes: [ConfigBlock]
    }

    public struct Schedule: Sendable {
        public var name: String
        public var runs: [ScheduleRun]
        public var enabled: Bool
    }

    public struct Messages: Sendable {
        public var name: String
        public var mailCommand: String?
        /// The command for the `operator` destination (Bacula's `operatorcommand`); the Mail Command when not set.
        public var operatorCommand: String?
        public var destinations: [MessageDestination]
    }

    public struct Console: Sendable {
        public var name: String
        public var password: String
        /// ACL name → allowed entries (`*all*` allows everything).
        public var acls: [String: [String]]
        /// TLS towards this named console (the Director is the TLS server).
        public var tls = TLSDirectives()
    }

    public var director: Director
    public var clients: [Client]
    public var storages: [Storage]
    public var pools: [Pool]
    public var jobs: [Job]
    public var fileSets: [FileSet]
    public var schedules: [Schedule]
    public var messages: [Messages]
    public var consoles: [Console]
    public var catalogName: String

    public func client(_ name: String) -> Client? { clients.first { $0.name.lowercased() == name.lowercased() } }
    public func storage(_ name: String) -> Storage? { storages.first { $0.name.lowercased() == name.lowercased() } }
    public func pool(_ name: String) -> Pool? { pools.first { $0.name.lowercased() == name.lowercased() } }
    public func job(_ name: String) -> Job? { jobs.first { $0.name.lowercased() == name.lowercased() } }
    public func fileSet(_ name: String) -> FileSet? { fileSets.first { $0.name.lowercased() == name.lowercased() } }
    public func messagesResource(_ name: String) -> Messages? { messages.first { $0.name == name } }
    public func console(_ name: String) -> Console? { consoles.first { $0.name == name } }

    /// Builds the typed view; nil when the configuration has no Director resource.
    public init?(_ configuration: Configuration) {
        guard let dir = configuration.resources(ofType: "Director").first else { return nil }
        var addresses: [String] = []
        var port = Int(dir.integer("DIR Port") ?? 9101)
        if case .addresses(let list)? = dir.value("DIR Addresses") {
            addresses = list.map(\.host)
            if let first = list.first { port = first.port }
        } else if let address = dir.string("DIR Address") {
            addresses = [address]
        }
        if addresses.isEmpty { addresses = ["0.0.0.0"] }
        director = Director(
            name: dir.name, password: dir.string("Password") ?? "", port: port, addresses: addresses,
            workingDirectory: dir.string("Working Directory") ?? "/var/lib/bacula",
            messages: dir.names("Messages").first, maximumConcurrentJobs: Int(dir.integer("Maximum Concurrent Jobs") ?? 20),
            heartbeatInterval: dir.duration("Heartbeat Interval") ?? HeartbeatDefault.seconds,
            fileDaemonConnectTimeout: dir.duration("FD Connect Timeout") ?? 180, tls: TLSDirectives(dir))
        clients = configuration.resources(ofType: "Client").map { r in
            Client(
                name: r.name, address: r.string("Address") ?? "localhost", port: Int(r.integer("FD Port") ?? 9102),
                password: r.string("Password") ?? "", fileRetention: r.duration("File Retention") ?? 5_184_000,
                jobRetention: r.duration("Job Retention") ?? 15_552_000, autoPrune: r.bool("AutoPrune") ?? true,
                maximumConcurrentJobs: Int(r.integer("Maximum Concurrent Jobs") ?? 1),
                heartbeatInterval: r.duration("Heartbeat Interval") ?? HeartbeatDefault.seconds, tls: TLSDirectives(r),
                maximumBandwidthPerJob: Int64(clamping: r.speed("Maximum Bandwidth Per Job") ?? 0))
        }
        storages = (configuration.resources(ofType: "Storage") + configuration.resources(ofType: "Autochanger")).map { r in
            var changer = false
            if case .boolean(let flag)? = r.value("Autochanger") { changer = flag }
            if r.type == "Autochanger" { changer = true }
            return Storage(
                name: r.name, address: r.string("Address") ?? "localhost", fileDaemonAddress: r.string("FD Storage Address"),
                port: Int(r.integer("SD Port") ?? 9103), password: r.string("Password") ?? "", devices: r.names("Device"),
                mediaType: r.string("Media Type") ?? "", autochanger: changer,
                maximumConcurrentJobs: Int(r.integer("Maximum Concurrent Jobs") ?? 1),
                heartbeatInterval: r.duration("Heartbeat Interval") ?? HeartbeatDefault.seconds, tls: TLSDirectives(r))
        }
        pools = configuration.resources(ofType: "Pool").map { r in
            var settings = PoolDefinition(name: r.name)
            settings.poolType = r.string("Pool Type") ?? "Backup"
            settings.labelFormat = r.string("Label Format") ?? "*"
            settings.maximumVolumes = r.integer("Maximum Volumes") ?? 0
            settings.useOnce = r.bool("Use Volume Once") ?? false
            settings.useCatalog = r.bool("Use Catalog") ?? true
            settings.volumeRetention = r.duration("Volume Retention") ?? 31_536_000
            settings.volumeUseDuration = r.duration("Volume Use Duration") ?? 0
            settings.maximumVolumeJobs = r.integer("Maximum Volume Jobs") ?? 0
            settings.maximumVolumeFiles = r.integer("Maximum Volume Files") ?? 0
            settings.maximumVolumeBytes = Int64(clamping: r.size("Maximum Volume Bytes") ?? 0)  // past 2^63: no limit
            settings.autoPrune = r.bool("AutoPrune") ?? true
            settings.recycle = r.bool("Recycle") ?? true
            return Pool(
                name: r.name, definition: settings, storage: r.names("Storage"),
                recycleOldest: r.bool("Recycle Oldest Volume") ?? false, purgeOldest: r.bool("Purge Oldest Volume") ?? false,
                catalogFiles: r.bool("Catalog Files") ?? true)
        }
        let jobDefs = Dictionary(
            configuration.resources(ofType: "JobDefs").map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        jobs = configuration.resources(ofType: "Job").map { r in
            let defs = r.names("JobDefs").first.flatMap { jobDefs[$0] }
            /// A directive set in the Job itself wins; then the JobDefs; then the schema default in the Job.
            func pick<T>(_ name: String, _ get: (Resource) -> T?) -> T? {
                if let own = r.directive(name), !own.isDefault, let value = get(r) { return value }
                if let defs, let set = defs.directive(name), !set.isDefault, let value = get(defs) { return value }
                return get(r)
            }
            /// Like `pick`, but nil when neither the Job nor its JobDefs writes the directive (no schema default).
            func written<T>(_ name: String, _ get: (Resource) -> T?) -> T? {
                if let own = r.directive(name), !own.isDefault { return get(r) }
                if let defs, let set = defs.directive(name), !set.isDefault { return get(defs) }
                return nil
            }
            func name(_ directive: String) -> String? { pick(directive) { $0.names(directive).first } }
            func names(_ directive: String) -> [String] { pick(directive) { res in
                let list = res.names(directive)
                return list.isEmpty ? nil : list
            } ?? [] }
            var job = Job(
                name: r.name, type: pick("Type") { $0.string("Type") } ?? "Backup",
                level: pick("Level") { $0.string("Level") } ?? "Full",
                client: name("Client") ?? "", fileSet: name("FileSet") ?? "", pool: name("Pool") ?? "Default",
                fullPool: name("Full Backup Pool"), incrementalPool: name("Incremental Backup Pool"),
                differentialPool: name("Differential Backup Pool"), storage: names("Storage"),
                messages: name("Messages") ?? "Standard", schedule: name("Schedule"),
                priority: Int(pick("Priority") { $0.integer("Priority") } ?? 10),
                allowMixedPriority: pick("Allow Mixed Priority") { $0.bool("Allow Mixed Priority") } ?? false,
                maximumConcurrentJobs: Int(pick("Maximum Concurrent Jobs") { $0.integer("Maximum Concurrent Jobs") } ?? 1),
                spoolData: pick("Spool Data") { $0.bool("Spool Data") } ?? false,
                spoolAttributes: written("Spool Attributes") { $0.bool("Spool Attributes") },
                accurate: pick("Accurate") { $0.bool("Accurate") } ?? false,
                writeBootstrap: pick("Write Bootstrap") { $0.string("Write Bootstrap") },
                where_: pick("Where") { $0.string("Where") },
                replace: pick("Replace") { $0.string("Replace") } ?? "Always",
                regexWhere: pick("Regex Where") { $0.string("Regex Where") },
                stripPrefix: pick("Strip Prefix") { $0.string("Strip Prefix") },
                addPrefix: pick("Add Prefix") { $0.string("Add Prefix") },
                addSuffix: pick("Add Suffix") { $0.string("Add Suffix") },
                allowDuplicateJobs: pick("Allow Duplicate Jobs") { $0.bool("Allow Duplicate Jobs") } ?? true,
                maximumRunTime: pick("Max Run Time") { $0.duration("Max Run Time") } ?? 0,
                rescheduleOnError: pick("Reschedule On Error") { $0.bool("Reschedule On Error") } ?? false,
                rescheduleInterval: pick("Reschedule Interval") { $0.duration("Reschedule Interval") } ?? 1800,
                rescheduleTimes: Int(pick("Reschedule Times") { $0.integer("Reschedule Times") } ?? 0),
                prefixLinks: pick("Prefix Links") { $0.bool("Prefix Links") } ?? false,
                enabled: pick("Enabled") { $0.bool("Enabled") } ?? true,
                scripts: { let own = JobScript.scripts(in: r); return own.isEmpty ? defs.map { JobScript.scripts(in: $0) } ?? [] : own }(),
                maximumBandwidth: Int64(clamping: pick("Maximum Bandwidth") { $0.speed("Maximum Bandwidth") } ?? 0),
                maxFullInterval: pick("Max Full Interval") { $0.duration("Max Full Interval") } ?? 0,
                maxDiffInterval: pick("Max Diff Interval") { $0.duration("Max Diff Interval") } ?? 0)
            func seconds(_ name: String) -> Int64 { pick(name) { $0.duration(name) } ?? 0 }
            job.rerunFailedLevels = pick("Rerun Failed Levels") { $0.bool("Rerun Failed Levels") } ?? false
            job.pruneFiles = pick("Prune Files") { $0.bool("Prune Files") } ?? false
            job.pruneJobs = pick("Prune Jobs") { $0.bool("Prune Jobs") } ?? false
            job.pruneVolumes = pick("Prune Volumes") { $0.bool("Prune Volumes") } ?? false
            job.spoolSize = pick("Spool Size") { $0.size("Spool Size") } ?? 0
            job.preferMountedVolumes = pick("Prefer Mounted Volumes") { $0.bool("Prefer Mounted Volumes") } ?? true
            job.timeLimits = JobTimeLimits(
                maxStartDelay: seconds("Max Start Delay"), maxRunSchedTime: seconds("Max Run Sched Time"),
                maxRunTime: job.maximumRunTime, fullMaxRunTime: seconds("Full Max Run Time"),
                incrementalMaxRunTime: seconds("Incremental Max Run Time"),
                differentialMaxRunTime: seconds("Differential Max Run Time"))
            return job
        }
        fileSets = configuration.resources(ofType: "FileSet").map { r in
            FileSet(
                name: r.name, enableVSS: r.bool("Enable VSS") ?? true, includes: r.blocks("Include"),
                excludes: r.blocks("Exclude"))
        }
        schedules = configuration.resources(ofType: "Schedule").map { r in
            Schedule(
                name: r.name,
                runs: r.values("Run").compactMap { value in
                    if case .run(let run) = value { return run }
                    return nil
                }, enabled: r.bool("Enabled") ?? true)
        }
        messages = configuration.resources(ofType: "Messages").map { r in
            Messages(
                name: r.name, mailCommand: r.string("Mail Command"), operatorCommand: r.string("Operator Command"),
                destinations: r.directives.flatMap { directive in
                    directive.values.compactMap { value in
                        if case .messages(let destination) = value { return destination }
                        return nil
                    }
                })
        }
        consoles = configuration.resources(ofType: "Console").map { r in
            var acls: [String: [String]] = [:]
            for acl in [
                "Job ACL", "Client ACL", "Storage ACL", "Schedule ACL", "Run ACL", "Pool ACL", "Command ACL",
                "FileSet ACL", "Catalog ACL", "Where ACL", "Restore Client ACL", "Backup Client ACL",
            ] where r.directive(acl) != nil {
                acls[acl] = r.names(acl)
            }
            return Console(name: r.name, password: r.string("Password") ?? "", acls: acls, tls: TLSDirectives(r))
        }
        catalogName = configuration.resources(ofType: "Catalog").first?.name ?? "MyCatalog"
    }
}
