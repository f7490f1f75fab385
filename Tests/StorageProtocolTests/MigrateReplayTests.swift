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

    static let capture = PeerJobCapture(
        capture: "bacula-migrate-capture.pcap", readJob: readJob, readKey: readKey, writeJob: writeJob, sessionTime: sessionTime)
    static func sessions() throws -> [CapturedSession] { try capture.sessions() }
    static func directorSession(jobID: Int) throws -> CapturedSession { try capture.directorSession(jobID: jobID) }

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

    @Test func readingSideOfTheDataLinkReplays() throws {
        try Self.capture.replayReadingSide(type: .migrate, readSessionID: 2, writeSessionID: 3, fileIndexes: 1...11)
    }

    @Test func writingSideOfTheDataLinkReplays() throws {
        try Self.capture.replayWritingSide(writeSessionID: 3, files: 11)
    }
}
