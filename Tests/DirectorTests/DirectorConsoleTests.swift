import CapstanTestSupport
import Foundation
import Testing

/// The console side of capstan-dir with the real bconsole: version, status, show, messages, unknown commands,
/// refused passwords, named Consoles and their ACLs, dropped handshakes, a restore of a job that does not exist,
/// and Label Format with Maximum Volume Jobs = 1 (one new volume per job).
@Suite struct DirectorConsoleTests {
    static let limitedPassword = "limited-console-password"

    static func system() async throws -> BaculaSystem {
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.directorResources = """
            Console {
              Name = limited; Password = "\(limitedPassword)"
              Job ACL = SystemBackup; Client ACL = system-fd; Pool ACL = SystemPool; Storage ACL = SystemStorage
              FileSet ACL = SystemSet; Catalog ACL = *all*; Command ACL = run, list, wait, messages, status, version
            }
            Pool { Name = OtherPool; Pool Type = Backup; Label Format = "Other-" }
            """
        let system = try BaculaSystem(storage: .bacula, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 0)
        try await system.start()
        return system
    }

    func bconsole(_ system: BaculaSystem, console: String?, password: String, _ commands: [String]) async throws -> Command.Result {
        let path = system.directory + "/bconsole-\(UUID().uuidString).conf"
        var text = "Director { Name = system-dir; DIRport = \(system.directorPort); Address = 127.0.0.1; Password = \"\(password)\" }\n"
        if let console {
            text += "Console { Name = \(console); Password = \"\(password)\"; Director = system-dir }\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try await Command.run(RealBacula.bconsole, ["-c", path], input: commands.joined(separator: "\n") + "\n", timeout: 60)
    }

    @Test func commandsBadInputAndVolumesPerJob() async throws {
        let system = try await Self.system()
        let output = try await system.console([
            "version", "frobnicate now", "status dir", "show pools", "restore client=system-fd jobid=999 all done yes",
            "list jobs", "messages",
        ])
        #expect(output.contains("system-dir Version: 9.6.7 (10 December 2020)"), "\(output)")
        #expect(output.contains("frobnicate: is an invalid command."), "\(output)")
        #expect(output.contains("Running Jobs:") && output.contains("Terminated Jobs:") && output.contains("No Jobs running."))
        #expect(output.contains("Pool: name=SystemPool PoolType=Backup"))
        #expect(output.contains("Unable to get Job record for JobId=999"), "\(output)")
        #expect(output.contains("No results to list.") || output.contains("| JobId |"))
        let capstanConsole = try await Programs.run(
            "capstan", ["console", "-c", system.directory + "/bconsole.conf"], input: "version\nfrobnicate\nshow pools\n")
        #expect(capstanConsole.output.contains("system-dir Version: 9.6.7"), "\(capstanConsole.output)\n\(capstanConsole.errors)")
        #expect(capstanConsole.output.contains("frobnicate: is an invalid command."))

        // Maximum Volume Jobs = 1 with Label Format "Vol-": three jobs, three volumes, each Used.
        for _ in 0..<3 {
            let backup = try await system.backup()
            #expect(backup.status == "T", "\(system.messages)\n\(system.directorLog)")
        }
        let volumes = try await system.sql("SELECT VolumeName, VolJobs, VolStatus FROM Media ORDER BY MediaId")
        #expect(volumes == "Vol-0001|1|Used\nVol-0002|1|Used\nVol-0003|1|Used\n", "\(volumes)")
        #expect(system.messages.contains("Max Volume jobs=1 exceeded. Marking Volume \"Vol-0001\" as Used."))
        let logs = try await system.console([
            "list joblog jobid=1", "list files jobid=1", "list jobmedia", "status client=system-fd", "estimate job=SystemBackup",
        ])
        #expect(logs.contains("Start Backup JobId 1"), "\(logs)")
        #expect(logs.contains("/sizes/file-100.bin"))
        #expect(logs.contains("| 3     | Vol-0003   |"), "\(logs)")
        #expect(logs.contains("Connecting to Client system-fd") && logs.contains("system-fd Version: 9.6.7"), "\(logs)")
        #expect(logs.contains("2000 OK estimate files="), "\(logs)")
        #expect(system.messages.contains("Termination:            Backup OK"), "\(system.messages)")
        let list = try await system.console(["list volumes", "llist jobid=1", ".api 2", "list jobs"])
        #expect(list.contains("| Vol-0003   | Used"), "\(list)")
        #expect(list.contains("JobId: 1") && list.contains("JobStatus: T"), "\(list)")
        #expect(list.contains("[{\"jobid\":\"1\",\"name\":\"SystemBackup\""), "\(list)")
    }

    @Test func refusedPasswordsAndConsoleACLs() async throws {
        let system = try await Self.system()
        let wrong = try await bconsole(system, console: nil, password: "not the password", ["version"])
        #expect(!wrong.output.contains("Version: 9.6.7"), "\(wrong.output)")
        #expect(await RealBacula.eventually(seconds: 30) { system.directorLog.contains("authentication failed") }, "\(system.directorLog)")
        #expect(system.directorLog.contains("127.0.0.1"))

        let limited = try await bconsole(
            system, console: "limited", password: Self.limitedPassword,
            ["version", "run job=SystemRestore yes", "delete jobid=1", "list jobs", "run job=SystemBackup yes"])
        #expect(limited.output.contains("system-dir Version"), "\(limited.output)")
        #expect(limited.output.contains("Job \"SystemRestore\" not found."), "\(limited.output)")
        #expect(limited.output.contains("delete: is an invalid command."), "\(limited.output)")
        #expect(limited.output.contains("Job queued. JobId="), "\(limited.output)")
        let impostor = try await bconsole(system, console: "limited", password: "guess", ["version"])
        #expect(!impostor.output.contains("Version: 9.6.7"), "\(impostor.output)")
        let unknown = try await bconsole(system, console: "nobody", password: Self.limitedPassword, ["version"])
        #expect(!unknown.output.contains("Version: 9.6.7"), "\(unknown.output)")
    }

    /// `mod` at "OK to run?": Bacula's parameter menu changes Level, Priority, Pool and When; the summary shows
    /// each change and the queued job carries them. `no` runs nothing.
    @Test func modAtTheOkToRunQuestion() async throws {
        let system = try await Self.system()
        let output = try await system.console([
            "run job=SystemBackup", "mod", "1", "2", "mod", "7", "5", "mod", "8", "2", "mod", "6", "2030-01-02 03:04:05", "yes",
            "run job=SystemBackup", "no",
        ])
        #expect(output.contains("Parameters to modify:") && output.contains("Select parameter to modify (1-8):"), "\(output)")
        #expect(output.contains("Level:    Incremental"), "\(output)")
        #expect(output.contains("Priority: 5"), "\(output)")
        #expect(output.contains("Pool:     OtherPool (From User input)"), "\(output)")
        #expect(output.contains("When:     2030-01-02 03:04:05"), "\(output)")
        #expect(output.contains("Job not run."), "\(output)")
        let queued = try #require(
            output.range(of: #"Job queued\. JobId=(\d+)"#, options: .regularExpression).flatMap { Int(output[$0].split(separator: "=").last ?? "") },
            "\(output)")
        let row = try await system.sql(
            "SELECT Level, SchedTime, (SELECT Name FROM Pool WHERE Pool.PoolId = Job.PoolId) FROM Job WHERE JobId=\(queued)")
        #expect(row == "I|2030-01-02 03:04:05|OtherPool\n", "\(row)")
        let jobs = try await system.sql("SELECT COUNT(*) FROM Job")
        #expect(jobs == "1\n", "the answer no queued a job: \(jobs)")
        let status = try await system.console(["status dir"])
        #expect(status.contains("SystemBackup"), "the job waits for its time: \(status)")
    }

    @Test func twoHundredDroppedHandshakesLeakNoDescriptors() async throws {
        let system = try await Self.system()
        let pid = try #require(system.processes.last?.process.processIdentifier)
        func descriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1 }
        for _ in 0..<8 { try RawConnection(port: system.directorPort).close() }
        try await Task.sleep(for: .milliseconds(500))
        let baseline = descriptors()
        #expect(baseline > 0)
        var connections: [RawConnection] = []
        for index in 0..<200 {
            let connection = try RawConnection(port: system.directorPort)
            switch index % 4 {
            case 0: break
            case 1: connection.sendPacket(Array("Hello *UserAgent* calling 100\n".utf8))
            case 2: connection.send([0, 0, 0, 40, 0x48, 0x65])
            default:
                connection.sendPacket(Array("Hello *UserAgent* calling 100\n".utf8))
                _ = await connection.receive(seconds: 2)
            }
            connections.append(connection)
        }
        for (index, connection) in connections.enumerated() {
            if index % 2 == 0 { connection.abort() } else { connection.close() }
        }
        #expect(await RealBacula.eventually(seconds: 30) { descriptors() <= baseline + 3 }, "fds: \(descriptors()) vs \(baseline)")
        let after = try await system.console(["version"])
        #expect(after.contains("system-dir Version"), "\(after)")
    }
}
