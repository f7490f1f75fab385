import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

/// The Migrate capture (`scripts/capture-migrate`: real 9.6.7 Director, FD and SD, one Autochanger of two File
/// devices) replayed through the machines: s3 the read job (type 103, JobId 2) on its Director connection, s2 the write
/// job (type 66, JobId 3) that is told `storage address=…`, and s4 the SD-to-SD data link from both sides.
@Suite struct MigrateReplayTests {
    static let readJob = "CapMigrate.2026-12-02_16.03.27_05"
    static let readKey = "MMBO-DJCI-KCMP-IKLE-EBOI-DALC-MHDG-DLFB"
    static let writeJob = "CapBackup.2026-12-02_16.03.27_06"
    static let sessionTime: UInt32 = 1_796_227_402

    static func sessions() throws -> [CapturedSession] { try Captures.storageSessions("bacula-migrate-capture.pcap") }

    static func directorSession(jobID: Int) throws -> CapturedSession {
        try #require(try sessions().first { session in
            session.peer == .director && session.incoming.contains { $0.text.hasPrefix("JobId=\(jobID) ") }
        })
    }

    static func dataLink() throws -> CapturedSession {
        try #require(try sessions().first { $0.hello.starts(with: Array("Hello Bacula SD: Start Job \(readJob)".utf8)) })
    }

    @Test func captureHoldsTheBackupTheMigrateAndItsDataLink() throws {
        let sessions = try Self.sessions()
        #expect(sessions.map(\.peer) == [.director, .fileDaemon, .director, .director, .fileDaemon])
        #expect(try Self.directorSession(jobID: 2).incoming.contains { $0.text.contains(" type=103 ") })
    }

    @Test func readJobConnectionReplays() throws {
        let session = try Self.directorSession(jobID: 2)
        var replay = DirectorSessionMachineTests.Replay()
        replay.sessionTime = Self.sessionTime
        replay.sessionIDs[Self.readJob] = 2
        replay.keys[Self.readJob] = Self.readKey
        try replay.run(session)
        #expect(replay.reservations.map { $0.storages.first?.storage.append } == [false])
        #expect(replay.jobs[Self.readJob]?.command.type == .migrate)
        #expect(replay.bootstraps.first?.entries.first?.volumes == ["Main-0001"])
        #expect(replay.closed == [nil])
    }

    @Test func writeJobConnectionReplays() throws {
        let session = try Self.directorSession(jobID: 3)
        var replay = DirectorSessionMachineTests.Replay()
        replay.sessionTime = Self.sessionTime
        replay.sessionIDs[Self.writeJob] = 3
        replay.keys[Self.writeJob] = "xx"
        try replay.run(session)
        #expect(replay.reservations.map { $0.storages.first?.storage.poolName } == ["Migrated"])
        #expect(replay.peers == [
            StoragePeerCommand(address: "127.0.0.1", port: 19103, ssl: 0, job: Self.readJob, authentication: Self.readKey)
        ])
        #expect(replay.closed == [nil])
    }

    /// The read job's UpdateMedia for its source volume: the GetVolInfo reply's values with the read time added.
    @Test func readJobUpdateMediaIsTheCatalogValuesWithTheReadTime() throws {
        let session = try Self.directorSession(jobID: 2)
        let replyFrame = try #require(session.incoming.first { $0.text.hasPrefix("1000 OK VolName=Main-0001 ") })
        let updateFrame = try #require(session.outgoing.first { $0.text.hasPrefix("CatReq JobId=2 UpdateMedia ") })
        guard case .volume(let info) = try CatalogReply(parsing: try #require(replyFrame.payload)) else {
            Issue.record("the GetVolInfo reply did not parse as a volume: \(replyFrame.text)")
            return
        }
        let captured = try CatalogRequest(parsing: try #require(updateFrame.payload))
        guard case .updateMedia(_, let theirs) = captured else {
            Issue.record("not an UpdateMedia: \(updateFrame.text)")
            return
        }
        let ours = MediaUpdate.afterReading(
            info, readMicroseconds: theirs.volumeReadTime - info.volumeReadTime, now: theirs.endTime)
        #expect(ours == theirs)
        #expect(CatalogRequest.updateMedia(jobID: 2, ours).bytes == updateFrame.payload)
        #expect(ours.volumeReadTime == 10 && ours.volumeStatus == "Used" && ours.volumeFirstWritten == 0)
    }

    static func streamedRecords(_ link: CapturedSession) throws -> [Record] {
        var parser = RecordStreamParser(sessionID: 3, sessionTime: sessionTime)
        var records: [Record] = []
        for frame in link.outgoing.drop(while: { $0.text != "3000 OK data\n" }).dropFirst() {
            if case .record(let record) = try parser.receive(frame) { records.append(record) }
        }
        return records
    }

    @Test func readingSideOfTheDataLinkReplays() throws {
        let link = try Self.dataLink()
        let records = try Self.streamedRecords(link)
        #expect(Set(records.map(\.fileIndex)) == Set(1...11))
        let job = FileDaemonSessionMachineTests.job(Self.readJob, type: .migrate, sessionID: 2, key: Self.readKey)
        var replay = FileDaemonSessionMachineTests.Replay()
        replay.recordsToRestore = records
        try replay.carryOut(
            replay.machine.receivedHello(
                link.hello, jobs: StorageJobTable([job]), challenge: try FileDaemonSessionMachineTests.challenge(of: link)))
        for frame in link.allIncoming.dropFirst() { try replay.carryOut(replay.machine.received(frame)) }
        #expect(replay.sent.count == link.allOutgoing.count)
        for (i, (ours, theirs)) in zip(replay.sent, link.allOutgoing).enumerated() {
            #expect(ours == theirs, "frame \(i): ours \(ours.text.prefix(50)) theirs \(theirs.text.prefix(50))")
        }
        #expect(replay.attached == [Self.readJob])
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])
    }

    @Test func writingSideOfTheDataLinkReplays() throws {
        let link = try Self.dataLink()
        let job = FileDaemonSessionMachineTests.job(Self.writeJob, type: .backup, sessionID: 3, key: "xx")
        var replay = FileDaemonSessionMachineTests.Replay()
        replay.machine = FileDaemonSessionMachine(peerWriterFor: job)
        for frame in link.outgoing { try replay.carryOut(replay.machine.received(frame)) }
        #expect(replay.sent == link.incoming)
        func contents(_ records: [Record]) -> [[Int32]] { records.map { [$0.fileIndex, $0.stream, Int32($0.data.count)] } }
        #expect(contents(replay.stored) == contents(try Self.streamedRecords(link)))
        #expect(replay.stored.map(\.data) == (try Self.streamedRecords(link)).map(\.data))
        #expect(replay.summary?.fileCount == 11)
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])
    }
}
