import Foundation

/// A whole backup system on loopback for end-to-end tests: a real bacula-dir (SQLite catalog), a real bacula-fd,
/// and a Storage daemon — capstan-sd, or the real bacula-sd as the reference. Configuration files are generated in
/// a temporary directory with free ports; every process is stopped by its PID when the system is released.
public final class BaculaSystem: @unchecked Sendable {
    public enum StorageKind: Sendable {
        case capstan
        case bacula
    }

    /// Which Director runs the system: the real bacula-dir (the default) or capstan-dir.
    public enum DirectorKind: Sendable {
        case capstan
        case bacula
    }

    /// Extra directives and resources for the generated files.
    public struct Options: Sendable {
        public var device = ""  // directives added to the SD's Device resource
        public var storageResources = ""  // resources added to the SD file
        public var storageDirectives = ""  // directives added to the SD's Storage resource
        public var job = ""  // directives added to the backup Job
        public var pool = ""  // directives added to the Pool
        public var directorResources = ""  // resources added to the Director file ({FDPORT}, {SDPORT}: the ports)
        public var storageArguments: [String] = []  // extra arguments for the Storage daemon (e.g. -d 100)
        public var fileSetOptions = "signature = MD5"  // the FileSet's Include Options
        /// Write to a virtual tape library (one drive, cartridges made on demand) instead of a File device;
        /// a non-zero value is each cartridge's capacity in bytes.
        public var tapeLibraryCapacity: Int?
        /// Cartridges in the virtual library's slots from the start (barcodes `VT0001`…); 0: made on demand.
        public var tapeLibraryCartridges = 0
        /// Drives of the virtual library (Devices `Drive-0`…, Drive Index 0…).
        public var tapeLibraryDrives = 1
        /// Serve Prometheus metrics from capstan-sd on this port (`Metrics Port`).
        public var metricsPort: Int?
        /// Extra File daemons (each its own bacula-fd process, Client `extra-fd-N` and Job `ExtraBackup-N`).
        public var extraFileDaemons = 0
        /// The Director program.
        public var director: DirectorKind = .bacula
        /// Let the Director create its catalog (capstan-dir only); otherwise Debian's make_sqlite3_tables makes it.
        public var directorCreatesCatalog = false
        /// The File daemon of Client `system-fd`: capstan-fd, or the real bacula-fd (the default).
        public var fileDaemon: StorageKind = .bacula
        /// Directives added to the SD's Director resource.
        public var storageDirectorDirectives = ""
        /// Directives added to the FD's FileDaemon and Director resources.
        public var fileDaemonDirectives = ""
        public var fileDaemonDirectorDirectives = ""
        /// Directives added to the Director's own Director resource, its Client `system-fd` and its Storage.
        public var directorDirectives = ""
        public var directorClientDirectives = ""
        public var directorStorageDirectives = ""
        /// Directives added to bconsole.conf's Director resource.
        public var consoleDirectives = ""
        public init() {}

        /// TLS on every link (spec §2.7) with `certificates` (names `system-dir`, `system-sd`, `system-fd`,
        /// `console`); `require` sets TLS Require = yes everywhere.
        public mutating func enableTLS(_ certificates: TestCertificates, require: Bool = false) {
            storageDirectives += "\n" + certificates.directives("system-sd", require: require)
            storageDirectorDirectives += "\n" + certificates.directives("system-sd", require: require)
            fileDaemonDirectives += "\n" + certificates.directives("system-fd", require: require)
            fileDaemonDirectorDirectives += "\n" + certificates.directives("system-fd", require: require)
            directorDirectives += "\n" + certificates.directives("system-dir", require: require)
            directorClientDirectives += "\n" + certificates.directives("system-dir", require: require)
            directorStorageDirectives += "\n" + certificates.directives("system-dir", require: require)
            consoleDirectives += "\n" + certificates.directives("console", require: require)
        }
    }

    public let directory: String
    public let dataDirectory: String
    public let volumeDirectory: String
    public let restoreDirectory: String
    public let directorPort: Int
    public let fileDaemonPort: Int
    public let storagePort: Int
    public var processes: [ChildProcess] = []
    let consolePassword = "system-console-password"

    public init(storage: StorageKind, options: Options = Options()) throws {
        directory = try RealBacula.temporaryDirectory("capstan-system")
        dataDirectory = directory + "/data"
        volumeDirectory = directory + "/volumes"
        restoreDirectory = directory + "/restore"
        for path in [dataDirectory, volumeDirectory, restoreDirectory, directory + "/dir", directory + "/fd", directory + "/sd", directory + "/spool"] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        directorPort = try RealBacula.freePort()
        fileDaemonPort = try RealBacula.freePort()
        storagePort = try RealBacula.freePort()
        self.storageKind = storage
        self.options = options
    }

    let storageKind: StorageKind
    /// May be changed before `start()` (e.g. to add resources that name the system's own paths and ports).
    public var options: Options

    /// Writes the configurations, creates the catalog and starts the three daemons.
    public func start() async throws {
        if !(options.director == .capstan && options.directorCreatesCatalog) {
            try await RealBacula.makeCatalog(in: directory + "/dir")
        }
        let library = directory + "/library"
        let drives = 0..<max(1, options.tapeLibraryDrives)
        let device = options.tapeLibraryCapacity.map { capacity in
            """
            Autochanger {
              Name = VirtualLibrary; Device = \(drives.map { "Drive-\($0)" }.joined(separator: ", "))
              Changer Device = "virtual:\(library)?slots=16&cartridges=\(options.tapeLibraryCartridges)"; Changer Command = ""
            }
            """ + drives.map { index in
                """
                Device {
                  Name = Drive-\(index); Media Type = File; Device Type = VTape; Archive Device = "\(library)/drive-\(index).vtape"
                  Autochanger = yes; Drive Index = \(index); LabelMedia = yes; Random Access = no; Removable Media = yes
                  AutomaticMount = yes; AlwaysOpen = yes; Maximum Block Size = 1048576
                  \(capacity > 0 ? "Maximum Volume Size = \(capacity)" : "")
                  Spool Directory = "\(directory)/spool"; Maximum Spool Size = 64M
                  \(options.device)
                }
                """
            }.joined(separator: "\n")
        } ?? """
            Device {
              Name = FileDev; Media Type = File; Archive Device = "\(volumeDirectory)"; Device Type = File
              LabelMedia = yes; Random Access = yes; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = no
              Spool Directory = "\(directory)/spool"; Maximum Concurrent Jobs = 5
              \(options.device)
            }
            """
        let storageConfiguration = """
            Storage {
              Name = system-sd; SDPort = \(storagePort); SDAddress = 127.0.0.1
              WorkingDirectory = "\(directory)/sd"; Pid Directory = "\(directory)/sd"; Maximum Concurrent Jobs = 20
              \(options.metricsPort.map { "Metrics Port = \($0)" } ?? "")
              \(options.storageDirectives)
            }
            Director {
              Name = system-dir; Password = "sd-password"
              \(options.storageDirectorDirectives)
            }
            \(device)
            Messages { Name = Standard; director = system-dir = all }
            \(options.storageResources)
            """
        let fileDaemonConfiguration = """
            FileDaemon {
              Name = system-fd; FDport = \(fileDaemonPort); FDAddress = 127.0.0.1
              WorkingDirectory = "\(directory)/fd"; Pid Directory = "\(directory)/fd"
              \(options.fileDaemonDirectives)
            }
            Director {
              Name = system-dir; Password = "fd-password"
              \(options.fileDaemonDirectorDirectives)
            }
            Messages { Name = Standard; director = system-dir = all, !skipped, !restored }
            """
        let directorConfiguration = """
            Director {
              Name = system-dir; DIRport = \(directorPort); DirAddress = 127.0.0.1
              QueryFile = "/etc/bacula/scripts/query.sql"; WorkingDirectory = "\(directory)/dir"
              PidDirectory = "\(directory)/dir"; Password = "\(consolePassword)"; Messages = Daemon
              Maximum Concurrent Jobs = 10
              \(options.directorDirectives)
            }
            Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
            Client {
              Name = system-fd; Address = 127.0.0.1; FDPort = \(fileDaemonPort); Catalog = MyCatalog
              Password = "fd-password"; AutoPrune = no; Maximum Concurrent Jobs = 10
              \(options.directorClientDirectives)
            }
            Storage {
              Name = SystemStorage; Address = 127.0.0.1; SDPort = \(storagePort); Password = "sd-password"
              Device = \(options.tapeLibraryCapacity == nil ? "FileDev" : "VirtualLibrary"); Media Type = File
              Maximum Concurrent Jobs = 10
              \(options.directorStorageDirectives)
            }
            Pool {
              Name = SystemPool; Pool Type = Backup; Label Format = "Vol-"; Recycle = no; AutoPrune = no
              Maximum Volume Jobs = 1
              \(options.pool)
            }
            FileSet { Name = SystemSet; Include { Options { \(options.fileSetOptions) } File = "\(dataDirectory)" } }
            Job {
              Name = SystemBackup; Type = Backup; Level = Full; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Priority = 10
              Write Bootstrap = "\(directory)/dir/%n-%i.bsr"; Maximum Concurrent Jobs = 10; Allow Duplicate Jobs = yes
              \(options.job)
            }
            Job {
              Name = SystemRestore; Type = Restore; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Where = "\(restoreDirectory)"
            }
            Messages { Name = Standard; console = all, !skipped, !saved; catalog = all; append = "\(directory)/dir/messages.log" = all }
            Messages { Name = Daemon; console = all, !skipped, !saved; append = "\(directory)/dir/messages.log" = all }
            \(options.directorResources.replacingOccurrences(of: "{FDPORT}", with: "\(fileDaemonPort)")
                .replacingOccurrences(of: "{SDPORT}", with: "\(storagePort)"))
            """
        var extraPorts: [Int] = []
        var extraResources = ""
        for index in 1...max(1, options.extraFileDaemons) where options.extraFileDaemons > 0 {
            let port = try RealBacula.freePort()
            extraPorts.append(port)
            try FileManager.default.createDirectory(atPath: directory + "/fd-\(index)", withIntermediateDirectories: true)
            try """
            FileDaemon {
              Name = extra-fd-\(index); FDport = \(port); FDAddress = 127.0.0.1
              WorkingDirectory = "\(directory)/fd-\(index)"; Pid Directory = "\(directory)/fd-\(index)"
            }
            Director { Name = system-dir; Password = "fd-password" }
            Messages { Name = Standard; director = system-dir = all, !skipped, !restored }
            """.write(toFile: directory + "/fd-\(index).conf", atomically: true, encoding: .utf8)
            extraResources += """
                Client {
                  Name = extra-fd-\(index); Address = 127.0.0.1; FDPort = \(port); Catalog = MyCatalog
                  Password = "fd-password"; AutoPrune = no; Maximum Concurrent Jobs = 10
                }
                Job {
                  Name = ExtraBackup-\(index); Type = Backup; Level = Full; Client = extra-fd-\(index); FileSet = SystemSet
                  Storage = SystemStorage; Pool = SystemPool; Messages = Standard; Priority = 10
                  \(options.job)
                }

                """
        }
        try (directorConfiguration + "\n" + extraResources).write(toFile: directory + "/dir.conf", atomically: true, encoding: .utf8)
        try storageConfiguration.write(toFile: directory + "/sd.conf", atomically: true, encoding: .utf8)
        try fileDaemonConfiguration.write(toFile: directory + "/fd.conf", atomically: true, encoding: .utf8)
        try """
        Director {
          Name = system-dir; DIRport = \(directorPort); Address = 127.0.0.1; Password = "\(consolePassword)"
          \(options.consoleDirectives)
        }
        """.write(toFile: directory + "/bconsole.conf", atomically: true, encoding: .utf8)

        let storageProgram = storageKind == .capstan ? Programs.path("capstan-sd") : "/usr/sbin/bacula-sd"
        processes.append(
            try ChildProcess(storageProgram, ["-f", "-c", directory + "/sd.conf"] + options.storageArguments, outputPath: directory + "/sd.log"))
        processes.append(try ChildProcess(fileDaemonProgram, ["-f", "-c", directory + "/fd.conf"], outputPath: directory + "/fd.log"))
        for (index, port) in extraPorts.enumerated() {
            processes.append(
                try ChildProcess(
                    "/usr/sbin/bacula-fd", ["-f", "-c", directory + "/fd-\(index + 1).conf"],
                    outputPath: directory + "/fd-\(index + 1).log"))
            guard await RealBacula.waitForListener(port: port) else {
                throw CommandFailure(description: "extra bacula-fd \(index + 1) did not listen on \(port)")
            }
        }
        for (port, what) in [(storagePort, "Storage daemon"), (fileDaemonPort, "bacula-fd")] {
            guard await RealBacula.waitForListener(port: port) else {
                throw CommandFailure(description: "\(what) did not listen on \(port): \(processes.map(\.output))")
            }
        }
        try await startDirector(options.director)
    }

    /// Starts `kind` as the Director on the generated configuration and catalog (the system's last process).
    public func startDirector(_ kind: DirectorKind) async throws {
        let program = kind == .capstan ? Programs.path("capstan-dir") : "/usr/sbin/bacula-dir"
        processes.append(
            try ChildProcess(program, ["-f", "-c", directory + "/dir.conf"], outputPath: directory + "/dir-\(processes.count).log"))
        guard await RealBacula.waitForListener(port: directorPort) else {
            throw CommandFailure(description: "\(program) did not listen on \(directorPort): \(processes.map(\.output))")
        }
    }

    /// Stops the Director (the last process started), as a service manager would (SIGTERM).
    public func stopDirector() {
        processes.last?.stop()
        processes.removeLast()
    }

    /// Kills the Director (the last process started) with SIGKILL, as a crash would; `startDirector` starts it
    /// again on the same configuration and catalog.
    public func killDirector() {
        guard let director = processes.last else { return }
        kill(director.process.processIdentifier, SIGKILL)
        director.waitForExit()
        processes.removeLast()
    }

    /// The Director's output.
    public var directorLog: String { processes.last?.output ?? "" }

    /// The program of Client `system-fd`.
    var fileDaemonProgram: String { options.fileDaemon == .capstan ? Programs.path("capstan-fd") : "/usr/sbin/bacula-fd" }

    /// The File daemon's log (all of its runs).
    public var fileDaemonLog: String {
        [directory + "/fd.log", directory + "/fd-2.log"].compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
    }

    /// Stops the File daemon and starts `kind` in its place on the same configuration and port.
    public func replaceFileDaemon(with kind: StorageKind) async throws {
        processes[1].stop()
        let program = kind == .capstan ? Programs.path("capstan-fd") : "/usr/sbin/bacula-fd"
        processes[1] = try ChildProcess(program, ["-f", "-c", directory + "/fd.conf"], outputPath: directory + "/fd-2.log")
        guard await RealBacula.waitForListener(port: fileDaemonPort) else {
            throw CommandFailure(description: "the new File daemon did not listen: \(processes[1].output)")
        }
    }

    /// The Storage daemon's log.
    public var storageLog: String { processes.first?.output ?? "" }

    /// Stops the Storage daemon and starts `kind` in its place on the same configuration, port and volumes.
    public func replaceStorage(with kind: StorageKind) async throws {
        processes[0].stop()
        let program = kind == .capstan ? Programs.path("capstan-sd") : "/usr/sbin/bacula-sd"
        processes[0] = try ChildProcess(
            program, ["-f", "-c", directory + "/sd.conf"] + options.storageArguments, outputPath: directory + "/sd-2.log")
        guard await RealBacula.waitForListener(port: storagePort) else {
            throw CommandFailure(description: "the new Storage daemon did not listen: \(processes[0].output)")
        }
    }

    /// The running Storage daemon's process ID (to signal it from another thread: `RealBacula.whenTrue`).
    public var storageProcessID: pid_t { processes[0].process.processIdentifier }

    /// Kills the Storage daemon (SIGKILL, as a crash would) and waits for it to be gone.
    public func killStorage() {
        kill(storageProcessID, SIGKILL)
        processes[0].waitForExit()
    }

    /// Starts the Storage daemon of the system again (after `killStorage`) on the same configuration, port and
    /// volumes; its output goes to `sd-N.log` (`storageLog` shows the new run).
    public func restartStorage() async throws {
        let program = storageKind == .capstan ? Programs.path("capstan-sd") : "/usr/sbin/bacula-sd"
        storageRuns += 1
        processes[0] = try ChildProcess(
            program, ["-f", "-c", directory + "/sd.conf"] + options.storageArguments,
            outputPath: directory + "/sd-run\(storageRuns).log")
        guard await RealBacula.waitForListener(port: storagePort) else {
            throw CommandFailure(description: "the Storage daemon did not listen again: \(processes[0].output)")
        }
    }

    private var storageRuns = 1

    /// The running File daemon's process ID (to signal it from another thread: `RealBacula.whenTrue`).
    public var fileDaemonProcessID: pid_t { processes[1].process.processIdentifier }

    /// Kills the File daemon (SIGKILL, as a crash would) and waits for it to be gone.
    public func killFileDaemon() {
        kill(fileDaemonProcessID, SIGKILL)
        processes[1].waitForExit()
    }

    /// Starts the File daemon again after `killFileDaemon`.
    public func restartFileDaemon() async throws {
        processes[1] = try ChildProcess(fileDaemonProgram, ["-f", "-c", directory + "/fd.conf"], outputPath: directory + "/fd-2.log")
        guard await RealBacula.waitForListener(port: fileDaemonPort) else {
            throw CommandFailure(description: "the File daemon did not listen again: \(processes[1].output)")
        }
    }

    /// Where a restore with `where=restoreDirectory` puts the data set (Bacula prefixes the full path).
    public var restoredDataDirectory: String { restoreDirectory + dataDirectory }

    /// The volume files the Storage daemon wrote, sorted.
    public func volumes() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: volumeDirectory).sorted().map { volumeDirectory + "/" + $0 }
    }

    /// Runs a backup job and waits for it; returns its JobId and catalog row.
    public func backup(level: String = "Full", job: String = "SystemBackup", timeout: Double = 900) async throws
        -> (jobId: Int, status: String, files: Int, bytes: Int)
    {
        let jobId = try await queue("run job=\(job) level=\(level) yes")
        let row = try await wait(jobId: jobId, timeout: timeout)
        return (jobId, row.status, row.files, row.bytes)
    }

    /// Restores with a bconsole `restore` selection (e.g. `jobid=3` or `select current`) into `restoreDirectory`.
    public func restore(_ selection: String, into target: String? = nil, client: String = "system-fd", timeout: Double = 900)
        async throws -> (jobId: Int, status: String, files: Int, bytes: Int)
    {
        let jobId = try await queue(
            "restore client=\(client) fileset=SystemSet where=\(target ?? restoreDirectory) \(selection) all done yes")
        let row = try await wait(jobId: jobId, timeout: timeout)
        return (jobId, row.status, row.files, row.bytes)
    }

    /// Runs bconsole commands against the Director.
    public func console(_ commands: [String], timeout: Double = 600) async throws -> String {
        let result = try await Command.run(
            RealBacula.bconsole, ["-c", directory + "/bconsole.conf"], input: commands.joined(separator: "\n") + "\n",
            timeout: timeout)
        return result.output
    }

    /// Starts `command` (a `run ...` or `restore ...` line that ends in `yes`) and returns the queued JobId.
    public func queue(_ command: String) async throws -> Int {
        let output = try await console([command])
        guard let range = output.range(of: #"Job queued\. JobId=(\d+)"#, options: .regularExpression),
            let jobId = Int(output[range].split(separator: "=").last ?? "")
        else { throw CommandFailure(description: "not queued: \(output)") }
        return jobId
    }

    /// Waits for a job to end and returns its catalog row: status letter, files, bytes.
    public func wait(jobId: Int, timeout: Double = 600) async throws -> (status: String, files: Int, bytes: Int) {
        _ = try await console(["wait jobid=\(jobId)"], timeout: timeout)
        let row = try await sql("SELECT JobStatus, JobFiles, JobBytes FROM Job WHERE JobId=\(jobId)")
        let fields = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard fields.count == 3, let files = Int(fields[1]), let bytes = Int(fields[2]) else {
            throw CommandFailure(description: "no catalog row for JobId \(jobId): \(row)")
        }
        return (fields[0], files, bytes)
    }

    /// How many pairs of jobs have JobMedia byte ranges that overlap on a volume: jobs written at the same time.
    public func overlappingJobMediaPairs() async throws -> Int {
        let count = try await sql(
            """
            SELECT COUNT(*) FROM JobMedia a JOIN JobMedia b ON a.JobId < b.JobId AND a.MediaId = b.MediaId
            WHERE a.StartFile*4294967296+a.StartBlock < b.EndFile*4294967296+b.EndBlock
              AND b.StartFile*4294967296+b.StartBlock < a.EndFile*4294967296+a.EndBlock
            """)
        return Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Runs a query against the catalog (sqlite3 CLI; read-only use).
    public func sql(_ query: String) async throws -> String {
        try await Command.run("/usr/bin/sqlite3", ["-cmd", ".timeout 20000", directory + "/dir/bacula.db", query]).output
    }

    /// The messages the Director logged for all jobs.
    /// Decoded leniently: a message may carry a path cut in the middle of a UTF-8 sequence, and a strict decode
    /// would give "" for the whole log.
    public var messages: String {
        (FileManager.default.contents(atPath: directory + "/dir/messages.log")).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// What a failed job's expectation should show: the Director's messages for that job (each entry with its
    /// continuation lines, e.g. the summary) and capstan-sd's log lines that name the job (by its Job name or
    /// `jobid=`), however early they came; a suffix of the whole log misses a job that failed first.
    public func report(jobId: Int) -> String {
        var entries: [String] = []
        for line in messages.components(separatedBy: "\n") {
            if line.first?.isNumber == true || entries.isEmpty { entries.append(line) } else { entries[entries.count - 1] += "\n" + line }
        }
        let director = entries.filter { $0.contains("JobId \(jobId):") }
        var names = ["jobid=\(jobId) "]
        let pattern = #"Job=[^ ,\n]+"#
        if let name = director.lazy.compactMap({ entry in
            entry.range(of: pattern, options: .regularExpression).map { entry[$0].dropFirst(4) }
        }).first {
            names.append("job=\(name) ")
        }
        let storage = storageLog.components(separatedBy: "\n").filter { line in names.contains { line.contains($0) } }
        return "Director, JobId \(jobId):\n" + director.joined(separator: "\n") + "\ncapstan-sd, \(names):\n"
            + storage.joined(separator: "\n")
    }

    deinit {
        for process in processes.reversed() { process.stop() }
        RealBacula.removeTemporaryDirectory(directory)
    }
}
