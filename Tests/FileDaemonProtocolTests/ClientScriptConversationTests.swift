import BaculaWire
import FileDaemonProtocol
import Testing

/// The Director's client scripts, as bacula-dir 9.6 sends them: `ClientRunBeforeJob` in the old protocol
/// (`RunBeforeJob cmd`, which bacula-fd runs at once and answers `2000 OK RunBefore`), RunScript blocks as
/// `Run … When=N` (Bacula's bits: 2 before, 1 after, 3 both, 4 after VSS) run at `RunBeforeNow` or after the job.
@Suite struct ClientScriptConversationTests {
    func started() -> DirectorConversation {
        var conversation = DirectorConversation(uname: "u")
        _ = conversation.received(.text("JobId=1 Job=J.1 SDid=1 SDtime=2 Authorization=KEY\n"))
        return conversation
    }

    func scriptsToRun(_ actions: [DirectorConversation.Action]) -> [String]? {
        for action in actions { if case .runBeforeScripts(let scripts, _) = action { return scripts.map(\.command) } }
        return nil
    }

    @Test func anOldStyleRunBeforeJobRunsAtOnceAndIsAnsweredWhenItEnded() {
        var conversation = started()
        let actions = conversation.received(.text("RunBeforeJob /bin/dump\u{1}db\n"))
        #expect(scriptsToRun(actions) == ["/bin/dump db"])
        #expect(!actions.contains { if case .send = $0 { true } else { false } }, "answered before the script ran")
        #expect(conversation.beforeScriptsFinished(true) == [.send([.payload(FileDaemonReply.runBefore)])])
        var failing = started()
        _ = failing.received(.text("RunBeforeJob /bin/false\n"))
        #expect(failing.beforeScriptsFinished(false) == [.send([.payload(FileDaemonReply.runBeforeFailed)])])
        // it ran: RunBeforeNow does not run it again
        #expect(scriptsToRun(conversation.received(.text("RunBeforeNow\n"))) == [])
    }

    @Test func runBeforeNowRunsTheScriptsWhoseBitsSayBeforeAndNotThoseThatSayAfter() {
        var conversation = started()
        for (when, name) in [(2, "before"), (1, "after"), (3, "always"), (4, "after-vss")] {
            let reply = conversation.received(.text("Run OnSuccess=1 OnFailure=0 AbortOnError=1 When=\(when) Command=/bin/\(name)\n"))
            #expect(reply == [.send([.payload(FileDaemonReply.runScript)])])
        }
        #expect(scriptsToRun(conversation.received(.text("RunBeforeNow\n"))) == ["/bin/before", "/bin/always", "/bin/after-vss"])
        #expect(conversation.beforeScriptsFinished(false) == [.send([.payload(FileDaemonReply.runBeforeNowFailed)])])
    }
}
