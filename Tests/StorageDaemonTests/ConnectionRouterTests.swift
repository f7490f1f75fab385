import BaculaWire
import CapstanConfig
import Net
import StorageDaemon
import Testing

@Suite struct ConnectionRouterTests {
    let router: ConnectionRouter = {
        let text = """
            Storage { Name = sd1; Working Directory = /w; Pid Directory = /p }
            Director { Name = Main-Dir; Password = "secret" }
            Messages { Name = M; console = all }
            Device { Name = D; Media Type = File; Archive Device = /v }
            """
        let (configuration, _) = ConfigLoader.load(text: text, name: "sd.conf", kind: .storage)
        return ConnectionRouter(configuration: StorageDaemonConfiguration(configuration)!)
    }()

    @Test func aKnownDirectorIsChallengedWithItsPasswordCaseInsensitively() {
        let (decision, peer) = router.decide(hello: DirectorHelloToStorageDaemon(directorName: "main-dir").bytes, jobKey: { _ in nil })
        #expect(peer == .director(name: "Main-Dir"))
        guard case .authenticate(let key, let challengeName, let welcome, _, _) = decision else {
            Issue.record("expected authenticate, got \(decision)")
            return
        }
        #expect(key == .password("secret"))
        #expect(challengeName == "sd1")
        #expect(welcome == Array("3000 OK Hello 306\n".utf8))
    }

    @Test func aFileDaemonIsHandedToItsJobOnlyWhenTheJobWaits() {
        let hello = FileDaemonHelloToStorageDaemon(jobName: "Backup.2026-11-26_10.00.00_01").bytes
        let (refused, nobody) = router.decide(hello: hello, jobKey: { _ in nil })
        #expect(nobody == nil)
        guard case .reject(let reason, _, _) = refused else {
            Issue.record("expected reject, got \(refused)")
            return
        }
        #expect(reason.contains("Backup.2026-11-26_10.00.00_01"))
        let (accepted, peer) = router.decide(hello: hello, jobKey: { $0 == "Backup.2026-11-26_10.00.00_01" ? "ABCD-EFGH" : nil })
        #expect(peer == .fileDaemon(jobName: "Backup.2026-11-26_10.00.00_01"))
        // The File-daemon session runs the handshake itself with the job's key (FileDaemonSessionMachine).
        guard case .handOver = accepted else {
            Issue.record("expected handOver, got \(accepted)")
            return
        }
    }

    @Test(arguments: [
        "Hello SD: Bacula Director stranger-dir calling 103\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "short",
        "Hello FD: Bacula Storage calling Start Job x.2026 306\n",
    ])
    func everythingElseIsRefused(hello: String) {
        let (decision, peer) = router.decide(hello: Array(hello.utf8), jobKey: { _ in "key" })
        #expect(peer == nil)
        guard case .reject = decision else {
            Issue.record("expected reject for \(hello), got \(decision)")
            return
        }
    }

    @Test func statusReportListsTheDevicesAndNoJobs() throws {
        let text = """
            Storage { Name = sd1; Working Directory = /w; Pid Directory = /p }
            Director { Name = d; Password = "p" }
            Messages { Name = M; console = all }
            Device { Name = Drive0; Media Type = LTO-8; Archive Device = /dev/nst0; Maximum Block Size = 1M }
            """
        let configuration = try #require(StorageDaemonConfiguration(ConfigLoader.load(text: text, name: "s", kind: .storage).0))
        let report = StatusReport(
            daemonName: "sd1", started: .init(timeIntervalSince1970: 0), jobsRun: 3, running: [],
            devices: configuration.devices.map { StatusReport.DeviceState(device: $0) })
        let lines = report.lines
        #expect(lines.allSatisfy { $0.hasSuffix("\n") })
        #expect(lines.contains("No Jobs running.\n"))
        #expect(lines.contains("\nDevice Tape: \"Drive0\" (/dev/nst0) is not open.\n"))
        #expect(lines.contains("   Media type:  LTO-8  Block size: 1048576\n"))
        #expect(lines.contains("   Spool: 0 bytes used in /w, 0 bytes in memory\n"))
        #expect(lines.contains { $0.hasPrefix("Daemon started ") && $0.hasSuffix("Jobs: run=3, running=0.\n") })
    }
}

@Suite struct ConsoleConversationTests {
    @Test func normalCommandsEndAtEndOfDataAndApiCommandsAtTheMainPrompt() {
        var conversation = ConsoleConversation()
        conversation.sending(command: "version")
        #expect(conversation.received(.text("dir Version: 9.6.7\n")) == .show(Array("dir Version: 9.6.7\n".utf8)))
        #expect(conversation.received(.signal(.heartbeat)) == .keepReading)
        #expect(conversation.received(.signal(.endOfData)) == .commandFinished)
        conversation.sending(command: ".api 2")
        #expect(conversation.apiMode)
        #expect(conversation.received(.signal(.commandBegin)) == .keepReading)
        #expect(conversation.received(.signal(.commandOK)) == .keepReading)
        #expect(conversation.received(.signal(.mainPrompt)) == .commandFinished)
        #expect(conversation.received(.signal(.subPrompt)) == .answerPrompt)
        #expect(conversation.received(.signal(.terminate)) == .closed)
        conversation.sending(command: ".api 0")
        #expect(!conversation.apiMode)
    }
}
