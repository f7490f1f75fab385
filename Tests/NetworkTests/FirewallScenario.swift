import CapstanTestSupport
import Foundation

/// Capstan's Director and Storage daemon in `server` of a `FirewallTopology`, with File daemons on the appliance
/// itself (`server`, as the seed's server-fd), inside (`lan`) and outside (`pub`, behind the NAT): the real Debian
/// bacula-fd and capstan-fd. Every daemon runs with its
/// default heartbeat settings (no `Heartbeat Interval` anywhere). The Storage resource's address is the name
/// `storage-server`, which each FD resolves in its own namespace. Ports are Bacula's own (9101–9103; capstan-fd on
/// 9112 beside bacula-fd): they are inside namespaces of this run only, so nothing else can hold them.
final class FirewallScenario: @unchecked Sendable {
    /// Where a File daemon runs: on the appliance, inside the LAN, or outside behind the NAT.
    enum Place: String, Sendable { case server, lan, pub }

    /// Which Director runs and where: capstan-dir on the appliance (the seed's layout), or Debian's bacula-dir
    /// outside, on the other side of the firewall from the appliance (it reaches the SD through the port forward).
    enum DirectorSetup: Sendable {
        case capstanOnTheAppliance
        case baculaOutside
    }

    /// A File daemon of the scenario: its Client name, program, namespace, address and port.
    struct Client: Sendable {
        var name: String
        var program: String
        var namespace: String
        var address: String
        var port: Int
        var outside: Bool
    }

    let topology: FirewallTopology
    let directory: String
    let clients: [Client]
    let director: DirectorSetup
    var processes: [ChildProcess] = []
    var treeDirectory: String { directory + "/data/tree" }
    var slowDirectory: String { directory + "/data/slow" }
    /// The FIFO of `FifoSet` (read on backup and written on restore by the FD: `readfifo = yes`).
    var fifoPath: String { directory + "/data/fifo/pipe" }
    /// How long the `PipeSet` file-list command makes the FD think.
    static let fileListSeconds = 20

    init(clients wanted: [(kind: String, place: Place)], director: DirectorSetup = .capstanOnTheAppliance) throws {
        let topology = try FirewallTopology()
        self.topology = topology
        self.director = director
        directory = try RealBacula.temporaryDirectory("capstan-network")
        clients = wanted.map { kind, place in
            Client(
                name: "\(place.rawValue)-\(kind)-fd",
                program: kind == "capstan" ? Programs.path("capstan-fd") : "/usr/sbin/bacula-fd",
                namespace: place == .pub ? topology.outside : place == .lan ? topology.lan : topology.server,
                address: place == .pub
                    ? FirewallTopology.publicAddress : place == .lan ? FirewallTopology.lanAddress : FirewallTopology.serverAddress,
                port: kind == "capstan" ? 9112 : 9102, outside: place == .pub)
        }
        for folder in ["dir", "sd", "volumes", "restore", "data/tree", "data/slow", "data/fifo"] + clients.map({ "fd-" + $0.name }) {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
    }

    deinit {
        for process in processes.reversed() { process.stop() }
        topology.tearDown()
        RealBacula.removeTemporaryDirectory(directory)
    }

    /// The Director's namespace and address.
    var directorNamespace: String { director == .baculaOutside ? topology.outside : topology.server }
    var directorAddress: String { director == .baculaOutside ? FirewallTopology.publicAddress : FirewallTopology.serverAddress }

    /// Writes the configurations and the catalog, starts the SD and the FDs, then the Director; waits for each to
    /// listen in its namespace.
    func start() async throws {
        try await RealBacula.makeCatalog(in: directory + "/dir")
        try writeConfigurations()
        try await launch(
            "capstan-sd", Programs.path("capstan-sd"), in: topology.server, config: directory + "/sd.conf",
            address: FirewallTopology.serverAddress, port: 9103)
        for client in clients {
            try await launch(
                client.name, client.program, in: client.namespace, config: directory + "/\(client.name).conf",
                address: client.address, port: client.port)
        }
        let (name, program) = director == .baculaOutside ? ("bacula-dir", RealBacula.director) : ("capstan-dir", Programs.path("capstan-dir"))
        try await launch(name, program, in: directorNamespace, config: directory + "/dir.conf", address: directorAddress, port: 9101)
    }

    private func launch(_ name: String, _ program: String, in namespace: String, config: String, address: String, port: Int)
        async throws
    {
        let (executable, arguments) = topology.command(in: namespace, program, ["-f", "-c", config])
        let process = try ChildProcess(executable, arguments, outputPath: directory + "/\(name).log")
        processes.append(process)
        let pid = process.process.processIdentifier
        guard await RealBacula.eventually(seconds: 60, { FirewallTopology.isListening(pid: pid, address: address, port: port) }) else {
            throw CommandFailure(description: "\(name) did not listen on \(address):\(port) in \(namespace): \(process.output)")
        }
    }

    /// Every daemon's configuration; none says `Heartbeat Interval`, so each runs on its program's default.
    private func writeConfigurations() throws {
        let clientResources = clients.map { client in
            """
            Client {
              Name = \(client.name); Address = \(client.address); FDPort = \(client.port); Catalog = MyCatalog
              Password = "fd-password-\(client.name)"; AutoPrune = no
            }
            Job { Name = Backup-\(client.name); JobDefs = NetworkDefs; Client = \(client.name); FileSet = TreeSet }
            Job { Name = Slow-\(client.name); JobDefs = NetworkDefs; Client = \(client.name); FileSet = SlowSet }
            Job { Name = Pipe-\(client.name); JobDefs = NetworkDefs; Client = \(client.name); FileSet = PipeSet }
            Job { Name = Fifo-\(client.name); JobDefs = NetworkDefs; Client = \(client.name); FileSet = FifoSet }

            """
        }.joined()
        try "#!/bin/sh\nsleep \(Self.fileListSeconds)\necho '\(slowDirectory)'\n".write(
            toFile: directory + "/slow-file-list.sh", atomically: true, encoding: .utf8)
        chmod(directory + "/slow-file-list.sh", 0o755)
        try """
        Director {
          Name = network-dir; DIRport = 9101; DirAddress = \(directorAddress)
          QueryFile = "/etc/bacula/scripts/query.sql"; WorkingDirectory = "\(directory)/dir"
          PidDirectory = "\(directory)/dir"; Password = "console-password"; Messages = Daemon
          Maximum Concurrent Jobs = 10
        }
        Catalog { Name = MyCatalog; dbname = "bacula"; dbuser = ""; dbpassword = "" }
        # One Storage for everybody, by NAME: each FD resolves it in its own namespace.
        Storage {
          Name = ApplianceStorage; Address = \(FirewallTopology.storageName); SDPort = 9103; Password = "sd-password"
          Device = FileDev; Media Type = File; Maximum Concurrent Jobs = 10
        }
        Pool {
          Name = NetworkPool; Pool Type = Backup; Label Format = "Net-"; Recycle = no; AutoPrune = no
          Maximum Volume Jobs = 1
        }
        FileSet { Name = TreeSet; Include { Options { signature = MD5 } File = "\(treeDirectory)" } }
        FileSet { Name = SlowSet; Include { Options { signature = MD5 } File = "\(slowDirectory)" } }
        # A slow-producing client: the FD runs this file-list command when it gets the FileSet, so the Director
        # waits \(Self.fileListSeconds) s for the FD's reply on an idle link.
        FileSet {
          Name = PipeSet
          Include { Options { signature = MD5 } File = "\\\\|\(directory)/slow-file-list.sh" }
        }
        # The FD reads the FIFO on backup and writes into it on restore (blocking until someone reads).
        FileSet { Name = FifoSet; Include { Options { signature = MD5; readfifo = yes } File = "\(fifoPath)" } }
        JobDefs {
          Name = NetworkDefs; Type = Backup; Level = Full; Storage = ApplianceStorage; Pool = NetworkPool
          Messages = Standard; Write Bootstrap = "\(directory)/dir/%n-%i.bsr"
        }
        \(clientResources)
        Job {
          Name = NetworkRestore; Type = Restore; Client = \(clients[0].name); FileSet = TreeSet
          Storage = ApplianceStorage; Pool = NetworkPool; Messages = Standard; Where = "\(directory)/restore"
        }
        Messages { Name = Standard; console = all, !skipped, !saved; catalog = all; append = "\(directory)/dir/messages.log" = all }
        Messages { Name = Daemon; console = all, !skipped, !saved; append = "\(directory)/dir/messages.log" = all }
        """.write(toFile: directory + "/dir.conf", atomically: true, encoding: .utf8)
        try """
        Storage {
          Name = network-sd; SDPort = 9103; SDAddress = \(FirewallTopology.serverAddress)
          WorkingDirectory = "\(directory)/sd"; Pid Directory = "\(directory)/sd"; Maximum Concurrent Jobs = 20
        }
        Director { Name = network-dir; Password = "sd-password" }
        Device {
          Name = FileDev; Media Type = File; Archive Device = "\(directory)/volumes"; Device Type = File
          LabelMedia = yes; Random Access = yes; AutomaticMount = yes; RemovableMedia = no; AlwaysOpen = no
          Maximum Concurrent Jobs = 5
        }
        Messages { Name = Standard; director = network-dir = all }
        """.write(toFile: directory + "/sd.conf", atomically: true, encoding: .utf8)
        for client in clients {
            try """
            FileDaemon {
              Name = \(client.name); FDport = \(client.port); FDAddress = \(client.address)
              WorkingDirectory = "\(directory)/fd-\(client.name)"; Pid Directory = "\(directory)/fd-\(client.name)"
            }
            Director { Name = network-dir; Password = "fd-password-\(client.name)" }
            Messages { Name = Standard; director = network-dir = all, !skipped, !restored }
            """.write(toFile: directory + "/\(client.name).conf", atomically: true, encoding: .utf8)
        }
        try """
        Director { Name = network-dir; DIRport = 9101; Address = \(directorAddress); Password = "console-password" }
        """.write(toFile: directory + "/bconsole.conf", atomically: true, encoding: .utf8)
    }

    // MARK: Console and catalog

    /// Runs the real bconsole in the Director's namespace.
    func console(_ commands: [String], timeout: Double = 300) async throws -> String {
        let (executable, arguments) = topology.command(in: directorNamespace, RealBacula.bconsole, ["-c", directory + "/bconsole.conf"])
        return try await Command.run(executable, arguments, input: commands.joined(separator: "\n") + "\n", timeout: timeout).output
    }

    /// Starts a `run …`/`restore …` line ending in `yes`; the queued JobId.
    func queue(_ command: String) async throws -> Int {
        let output = try await console([command])
        guard let match = output.firstMatch(of: /Job queued\. JobId=(\d+)/), let jobId = Int(match.1) else {
            throw CommandFailure(description: "not queued: \(output)")
        }
        return jobId
    }

    /// A job's catalog row after waiting (at most `timeout` s) for it to end: status letter, files, seconds from
    /// start to end. A job still running when the wait gives up shows its running status.
    func wait(jobId: Int, timeout: Double) async throws -> (status: String, files: Int, seconds: Int) {
        _ = try await console(["wait jobid=\(jobId)"], timeout: timeout)
        let row = try await Command.run(
            "/usr/bin/sqlite3",
            [
                "-cmd", ".timeout 20000", directory + "/dir/bacula.db",
                "SELECT JobStatus, JobFiles, COALESCE(strftime('%s',EndTime)-strftime('%s',StartTime),-1) FROM Job WHERE JobId=\(jobId)",
            ]
        ).output
        let fields = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard fields.count == 3 else { throw CommandFailure(description: "no catalog row for JobId \(jobId): \(row)") }
        return (fields[0], Int(fields[1]) ?? -1, Int(fields[2]) ?? -1)
    }

    /// Backs up `fileSet` ("Backup" or "Slow") of `client` and waits.
    func backup(_ client: Client, job: String = "Backup", timeout: Double = 240) async throws -> (jobId: Int, status: String, files: Int, seconds: Int) {
        let jobId = try await queue("run job=\(job)-\(client.name) level=Full yes")
        let row = try await wait(jobId: jobId, timeout: timeout)
        return (jobId, row.status, row.files, row.seconds)
    }

    /// Restores job `jobId` of `fileSet` to `client` under restore/<client>; the restored copy of `original`.
    func restore(jobId: Int, fileSet: String, to client: Client, original: String) async throws -> (status: String, path: String) {
        let target = directory + "/restore/" + client.name
        let restoreId = try await queue("restore client=\(client.name) fileset=\(fileSet) where=\(target) jobid=\(jobId) all done yes")
        let row = try await wait(jobId: restoreId, timeout: 240)
        return (row.status, target + original)
    }

    /// `diff -r --no-dereference` of two trees: empty when byte-identical.
    static func difference(_ original: String, _ restored: String) async throws -> String {
        let result = try await Command.run("/usr/bin/diff", ["-r", "--no-dereference", original, restored], timeout: 120)
        return result.status == 0 ? "" : "diff exited \(result.status): \(result.output.prefix(2000))\(result.errors.prefix(500))"
    }

    /// What the daemons said (the Director's messages and every daemon's output), for failure messages.
    var logs: String {
        let messages = (try? String(contentsOfFile: directory + "/dir/messages.log", encoding: .utf8)) ?? ""
        return "messages:\n\(messages.suffix(6000))\n" + processes.map { "--- \($0.outputPath):\n\($0.output.suffix(3000))" }.joined(separator: "\n")
    }
}
