import BaculaVolume
import BaculaWire
import FileDaemonProtocol
import Foundation
import Testing

/// The Director → FD conversations of the captures, replayed into `DirectorConversation`: what it sends must be
/// what the real bacula-fd sent, byte for byte, given the job outcomes the capture shows.
@Suite struct DirectorConversationReplayTests {
    static let capturedUname = "x86_64-pc-linux-gnu,debian,bookworm/sid"

    /// Feeds `session` into a conversation; outcomes of the edge's work come from `outcome`. Returns every frame the
    /// conversation sent and every action that was not a send.
    func replay(
        _ session: CapturedDirectorSession, outcome: (inout DirectorConversation, DirectorConversation.Action) -> [DirectorConversation.Action]
    ) -> (sent: [Frame], actions: [DirectorConversation.Action]) {
        var conversation = DirectorConversation(uname: Self.capturedUname)
        var sent: [Frame] = []
        var other: [DirectorConversation.Action] = []
        var clock: Int64 = 1_796_193_505_000_000
        for frame in session.fromDirector {
            clock += 20
            var queue = conversation.received(frame, nowMicroseconds: clock)
            while !queue.isEmpty {
                let action = queue.removeFirst()
                if case .send(let frames) = action {
                    sent += frames
                } else {
                    other.append(action)
                    queue += outcome(&conversation, action)
                }
            }
        }
        return (sent, other)
    }

    @Test func fullBackupReplaysTheCapturedReplies() throws {
        let session = try DirectorCaptures.sessions("bacula-backup-capture.pcap")[0]
        let endJob = try #require(session.fromFileDaemon.first { $0.payload?.starts(with: Array("2800".utf8)) == true })
        let result = replay(session) { conversation, action in
            switch action {
            case .connectStorage: return conversation.storageConnected(true)
            case .startBackup:
                return conversation.backupFinished(
                    EndJobReport(status: .ok, files: 6, readBytes: 200114, jobBytes: 200114, errors: 0, commBytes: 201057, compressedCommBytes: 200887))
            default: return []
            }
        }
        #expect(result.sent == session.fromFileDaemon)
        #expect(result.sent.contains(endJob))
        let plan = try #require(result.actions.compactMap { if case .startBackup(let plan) = $0 { plan } else { nil } }.first)
        #expect(plan.job.job == "BackupTest.2026-11-26_15.26.28_03")
        #expect(plan.job.authorization == "OCNB-PIKA-GNBC-PEPN-FCCC-OOGA-AKPA-LIOL")
        #expect(plan.level == .full)
        #expect(plan.fileSet.includes.first?.files == [Array("/tmp/proto-research/data".utf8)])
        #expect(plan.fileSet.includes.first?.optionsBlocks.first?.options.signature == .md5)
        #expect(plan.fileSet.excludes.first?.files == [Array("/tmp/proto-research/data/excluded".utf8)])
        let storage = try #require(result.actions.compactMap { if case .connectStorage(let a, _) = $0 { a } else { nil } }.first)
        #expect(storage == StorageAddress(host: "localhost", port: 19103, ssl: 0))
    }

    @Test func restoreReplaysTheCapturedReplies() throws {
        let session = try DirectorCaptures.sessions("bacula-backup-capture.pcap")[1]
        let report = EndJobReport(status: .error, files: 6, readBytes: 200114, jobBytes: 200114, errors: 1, commBytes: 233, compressedCommBytes: 233)
        let result = replay(session) { conversation, action in
            switch action {
            case .connectStorage: return conversation.storageConnected(true)
            case .startRestore: return conversation.restorePartFinished(report)
            case .finishRestore: return conversation.restoreFinished(report)
            default: return []
            }
        }
        // The Jmsg about a chmod the kernel refused comes from the restore itself (the edge), not the conversation.
        #expect(result.sent == session.fromFileDaemon.filter { $0.payload?.starts(with: Array("Jmsg".utf8)) != true })
        let request = try #require(result.actions.compactMap { if case .startRestore(let r, _, _) = $0 { r } else { nil } }.first)
        #expect(request == RestoreRequest(files: 6, replace: .always, prefixLinks: false, whereDirectory: "/tmp/proto-research/restore"))
    }

    @Test func accurateIncrementalRunsTheClockExchangeAndReadsTheFileList() throws {
        let session = try DirectorCaptures.sessions("bacula-director-capture.pcap")[1]
        let result = replay(session) { conversation, action in
            switch action {
            case .connectStorage: return conversation.storageConnected(true)
            case .startBackup:
                return conversation.backupFinished(
                    EndJobReport(status: .ok, files: 4, readBytes: 19, jobBytes: 19, errors: 0, commBytes: 703, compressedCommBytes: 661))
            default: return []
            }
        }
        #expect(result.sent == session.fromFileDaemon)
        #expect(result.sent.filter { $0 == .signal(.btime) }.count == 10)
        let plan = try #require(result.actions.compactMap { if case .startBackup(let plan) = $0 { plan } else { nil } }.first)
        #expect(plan.accurate)
        #expect(plan.level == .incremental)
        #expect(plan.accurateFiles?.count == 10)
        #expect(plan.accurateFiles?.contains { $0.name == Array("/tmp/capture-research/data/docs/".utf8) } == true)
        // The replayed Director clock ran ~0.1 s ahead of the fake local clock: no correction of whole seconds.
        #expect(plan.since == 1_796_193_501)
    }

    @Test func estimateAndStatusReplay() throws {
        let sessions = try DirectorCaptures.sessions("bacula-director-capture.pcap")
        let estimate = try #require(sessions.first { $0.fromDirector.contains(.text("estimate listing=0\n")) })
        let result = replay(estimate) { conversation, action in
            if case .runEstimate = action { return conversation.estimateFinished(files: 11, bytes: 300_046) }
            return []
        }
        #expect(result.sent == estimate.fromFileDaemon)
        let status = try #require(sessions.first { $0.fromDirector.contains(.text("status")) })
        let statusResult = replay(status) { _, _ in [] }
        #expect(statusResult.actions.contains(.sendStatus(machineReadable: nil)))
        #expect(statusResult.actions.last == .close)
    }

    @Test func malformedCommandsEndTheSession() {
        var conversation = DirectorConversation(uname: "u")
        let before = conversation.received(.text("backup FileIndex=0\n"))
        #expect(before.contains(.send([.payload(FileDaemonReply.noAuthorization), .signal(.endOfData)])))
        #expect(conversation.isFinished)

        var second = DirectorConversation(uname: "u")
        _ = second.received(.text("JobId=1 Job=J.1 SDid=1 SDtime=2 Authorization=KEY\n"))
        let garbage = second.received(.payload([0xFF, 0x00, 0x41]))
        #expect(garbage.contains(.send([.payload(FileDaemonReply.invalidCommand), .signal(.endOfData)])))
        #expect(garbage.last == .close)

        var third = DirectorConversation(uname: "u")
        _ = third.received(.text("JobId=1 Job=J.1 SDid=1 SDtime=2 Authorization=KEY\n"))
        #expect(third.received(.text("level = sideways  mtime_only=0 \n")).last == .close)
    }
}
