import CapstanConfig
import CapstanTestSupport
import Foundation
import Testing

@testable import Director

/// A Job's scripts as Bacula defines them (RunScript and its shorthand directives), and capstan-dir running them
/// with real daemons: Director scripts before and after the job, client scripts sent to a real bacula-fd (and to
/// capstan-fd), a failing script failing its job, and an Admin job that runs only its scripts.
@Suite struct JobScriptTests {
    @Test func theShorthandDirectivesAndRunScriptBlocksAreTypedAsBaculaMeansThem() throws {
        let configuration = try FileSetEncodingTests.configuration("""
            FileSet { Name = S; Include { File = /etc } }
            JobDefs {
              Name = Defaults; Type = Backup; Client = c; FileSet = S; Pool = Default; Storage = s; Messages = Standard
              Run Before Job = "/usr/bin/defaults"
            }
            Job {
              Name = scripted; JobDefs = Defaults
              Run Before Job = "/bin/before %n"
              Run After Job = "/bin/after"
              Run After Failed Job = "/bin/failed"
              Client Run Before Job = "/bin/dump db"
              Client Run After Job = "/bin/cleanup"
              RunScript { RunsWhen = Always; RunsOnClient = No; FailJobOnError = No; Command = "/bin/a"; Command = "/bin/b" }
              RunScript { RunsWhen = After; Runs On Failure = yes; Command = "/bin/client-after" }
            }
            Job { Name = inherits; JobDefs = Defaults }
            """)
        let scripts = try #require(configuration.job("scripted")).scripts
        #expect(scripts.map(\.command) == [
            "/bin/before %n", "/bin/after", "/bin/failed", "/bin/dump db", "/bin/cleanup", "/bin/a", "/bin/b", "/bin/client-after",
        ])
        #expect(scripts[0] == JobScript(command: "/bin/before %n", runsOnClient: false, when: .before))
        #expect(scripts[1].runsAfter(succeeded: true) && !scripts[1].runsAfter(succeeded: false) && !scripts[1].runsBefore)
        #expect(!scripts[2].runsAfter(succeeded: true) && scripts[2].runsAfter(succeeded: false))
        #expect(scripts[3].runsOnClient && scripts[3].runsBefore && scripts[3].failJobOnError)
        #expect(scripts[5].runsBefore && scripts[5].runsAfter(succeeded: true) && !scripts[5].failJobOnError && !scripts[5].runsOnClient)
        #expect(scripts[7].runsOnClient && scripts[7].runsAfter(succeeded: false) && scripts[7].runsAfter(succeeded: true))
        #expect(try #require(configuration.job("inherits")).scripts.map(\.command) == ["/usr/bin/defaults"])
        func sent(_ script: JobScript) -> (String, String) {
            (String(decoding: script.fileDaemonCommand.request.encoded, as: UTF8.self), script.fileDaemonCommand.reply)
        }
        #expect(sent(scripts[3]) == ("RunBeforeJob /bin/dump\u{1}db\n", "2000 OK RunBefore\n"))
        #expect(sent(scripts[4]) == ("RunAfterJob /bin/cleanup\n", "2000 OK RunAfter\n"))
        #expect(sent(scripts[5]) == ("Run OnSuccess=1 OnFailure=0 AbortOnError=0 When=3 Command=/bin/a\n", "2000 OK RunScript\n"))
        #expect(sent(scripts[7]).0 == "Run OnSuccess=1 OnFailure=1 AbortOnError=1 When=1 Command=/bin/client-after\n")
    }

    static let marks = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-scripts-\(UUID().uuidString)").path

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// Waits for `path` to exist (a client's after-script may end after the job's report), at most 60 s.
    func eventually(_ path: String) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: path) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return read(path)
    }

    @Test(arguments: [BaculaSystem.StorageKind.bacula, .capstan])
    func scriptsRunBeforeAndAfterOnTheDirectorAndOnTheClient(fileDaemon: BaculaSystem.StorageKind) async throws {
        let marks = Self.marks + "-\(fileDaemon)"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.fileDaemon = fileDaemon
        let system = try BaculaSystem(storage: .capstan, options: options)
        try DataSet.generate(at: system.dataDirectory, bigFileBytes: 1 << 20)
        // the client scripts write into the backed-up tree: the restore holds what ran before the File daemon read
        // it and not what ran after; the File daemon replaces their % codes (bacula-dir sends them as written).
        // Both Directors and File daemons run a command without a shell, the program found in PATH: `touch a;b`
        // makes one file named `a;b`.
        let data = system.dataDirectory
        system.options.job = """
            Run Before Job = "/bin/sh -c 'echo before %n %l %c > \(marks)/before'"
            Run Before Job = "touch \(marks)/director;literal"
            RunScript { RunsWhen = Before; RunsOnClient = yes; Command = "touch \(data)/client;literal" }
            Client Run Before Job = "/bin/sh -c 'echo old %i > \(data)/old-before.txt'"
            RunScript { RunsWhen = Before; RunsOnClient = yes; Command = "/bin/sh -c 'echo new %i > \(data)/new-before.txt'" }
            RunScript {
              RunsWhen = After; RunsOnClient = Yes
              Command = "/bin/sh -c 'echo late > \(data)/late.txt; echo client after > \(marks)/client-after'"
            }
            Run After Job = "/bin/sh -c 'echo %e; echo %e > \(marks)/after'"
            Run After Failed Job = "/bin/sh -c 'touch \(marks)/failed'"
            """
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "T", "\(system.report(jobId: backup.jobId))")
        #expect(read(marks + "/before") == "before SystemBackup Full system-fd\n")
        #expect(FileManager.default.fileExists(atPath: marks + "/director;literal"), "Run Before Job went through a shell")
        #expect(read(marks + "/after") == "OK\n")
        #expect(!FileManager.default.fileExists(atPath: marks + "/failed"))
        #expect(try await eventually(marks + "/client-after") == "client after\n")
        let messages = system.report(jobId: backup.jobId)
        #expect(messages.contains("shell command: run BeforeJob \"/bin/sh -c 'echo before SystemBackup Full"), "\(messages)")
        #expect(messages.contains("AfterJob: OK"), "the after-script's output is in the job log: \(messages)")
        let restore = try await system.restore("jobid=\(backup.jobId)")
        #expect(restore.status == "T", "\(system.report(jobId: restore.jobId))")
        let restored = system.restoreDirectory + data
        #expect(read(restored + "/old-before.txt") == "old \(backup.jobId)\n", "\(messages)")
        #expect(read(restored + "/new-before.txt") == "new \(backup.jobId)\n", "\(messages)")
        #expect(FileManager.default.fileExists(atPath: restored + "/client;literal"), "the client script went through a shell")
        #expect(read(restored + "/late.txt") == nil, "a client script of RunsWhen = After ran before the backup")
    }

    /// A failing before-script ends its job `E`; an Admin job runs only its scripts; a Verify job is refused.
    @Test func aFailingBeforeScriptFailsItsJobAndRunsTheFailedJobScripts() async throws {
        let marks = Self.marks + "-failing"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = """
            Run Before Job = "/bin/sh -c 'echo dump failed; exit 3'"
            Run After Job = "/usr/bin/touch \(marks)/after"
            Run After Failed Job = "/bin/sh -c 'echo %e > \(marks)/failed-%i'"
            """
        options.directorResources = """
            Job {
              Name = ClientFails; Type = Backup; Client = system-fd; FileSet = SystemSet; Storage = SystemStorage
              Pool = SystemPool; Messages = Standard; Client Run Before Job = /bin/false
            }
            Job {
              Name = Maintenance; Type = Admin; Client = system-fd; FileSet = SystemSet; Storage = SystemStorage
              Pool = SystemPool; Messages = Standard
              RunScript { RunsWhen = Before; RunsOnClient = No; Command = "/bin/sh -c 'echo %t-%n > \(marks)/admin'" }
            }
            Job {
              Name = VerifyIt; Type = Verify; Level = VolumeToCatalog; Client = system-fd; FileSet = SystemSet
              Storage = SystemStorage; Pool = SystemPool; Messages = Standard
            }
            """
        let system = try BaculaSystem(storage: .capstan, options: options)
        try await system.start()
        let backup = try await system.backup()
        #expect(backup.status == "E" && backup.files == 0, "\(system.report(jobId: backup.jobId))")
        let messages = system.report(jobId: backup.jobId)
        #expect(messages.contains("BeforeJob: dump failed"), "\(messages)")
        #expect(messages.contains("Runscript: BeforeJob returned non-zero status=3."), "\(messages)")
        #expect(read(marks + "/failed-\(backup.jobId)") == "Error\n")
        #expect(!FileManager.default.fileExists(atPath: marks + "/after"))
        #expect(!system.storageLog.contains("File daemon attached"), "the job went on after its before-script failed")

        let client = try await system.wait(jobId: try await system.queue("run job=ClientFails yes"))
        #expect(client.status == "f", "\(system.messages)")

        let admin = try await system.queue("run job=Maintenance yes")
        #expect(try await system.wait(jobId: admin).status == "T", "\(system.report(jobId: admin))")
        #expect(read(marks + "/admin") == "Admin-Maintenance\n")
        #expect(system.report(jobId: admin).contains("Admin OK"))

        // a Verify job is not run as a backup: refused at `run`, nothing queued
        let verify = try await system.console(["run job=VerifyIt yes"])
        #expect(verify.contains("Job \"VerifyIt\" is a Verify job") && !verify.contains("Job queued"), "\(verify)")
    }
}

extension JobScriptTests {
    /// `cancel` while a Director before-script hangs: the script is stopped (SIGTERM) and the job ends `A` at once,
    /// instead of when the script ends on its own.
    @Test func cancellingAJobStopsItsHangingBeforeScript() async throws {
        let marker = "297.25"  // a sleep no other process runs: found again in /proc
        var options = BaculaSystem.Options()
        options.director = .capstan
        options.job = "Run Before Job = \"/bin/sleep \(marker)\""
        let system = try BaculaSystem(storage: .capstan, options: options)
        try await system.start()
        let jobID = try await system.queue("run job=SystemBackup yes")
        let started = await RealBacula.eventually(seconds: 120) { ProcessTable.count(commandLine: ["/bin/sleep", marker]) > 0 }
        #expect(started, "the before-script never ran: \(system.report(jobId: jobID))")
        _ = try await system.console(["cancel jobid=\(jobID) yes"])
        let row = try await system.wait(jobId: jobID, timeout: 90)
        #expect(row.status == "A", "\(system.report(jobId: jobID))")
        let gone = await RealBacula.eventually(seconds: 60) { ProcessTable.count(commandLine: ["/bin/sleep", marker]) == 0 }
        #expect(gone, "the before-script still runs after its job was cancelled")
        #expect(!system.storageLog.contains("File daemon attached"), "the job went on after it was cancelled")
    }
}
