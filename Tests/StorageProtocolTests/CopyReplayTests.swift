import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

/// The Copy job of the Director capture (a real 9.6.7 Director and SD, one Autochanger of two File devices) replayed
/// through the machines: s28 the read job (type 99) on the Director connection, s27 the write job (type 66) that is
/// told `storage address=…`, and s29 the SD-to-SD data link, from the reading side and from the writing side.
@Suite struct CopyReplayTests {
    static let readJob = "CapCopy.2026-12-02_06.38.38_17"
    static let readKey = "EJEF-EDAC-NNPJ-PEJD-BKKN-JBHA-MPID-EPOP"
    static let writeJob = "CapBackup.2026-12-02_06.38.38_18"
    static let sessionTime: UInt32 = 1_796_193_496

    static let capture = PeerJobCapture(
        capture: "bacula-director-capture.pcap", readJob: readJob, readKey: readKey, writeJob: writeJob, sessionTime: sessionTime)
    static func sessions() throws -> [CapturedSession] { try capture.sessions() }
    static func directorSession(jobID: Int) throws -> CapturedSession { try capture.directorSession(jobID: jobID) }

    @Test func readJobConnectionReplays() throws {
        let session = try Self.directorSession(jobID: 8)
        var replay = DirectorSessionMachineTests.Replay()
        replay.sessionTime = Self.sessionTime
        replay.sessionIDs[Self.readJob] = 7
        replay.keys[Self.readJob] = Self.readKey
        try replay.run(session)
        #expect(replay.reservations.map { $0.storages.first?.storage.append } == [false])
        #expect(replay.jobs[Self.readJob]?.command.type == .copy)
        #expect(replay.closed == [nil])
    }

    @Test func writeJobConnectionReplays() throws {
        var replay = DirectorSessionMachineTests.Replay()
        replay.sessionTime = Self.sessionTime
        replay.sessionIDs[Self.writeJob] = 8
        replay.keys[Self.writeJob] = "xx"
        try replay.run(try Self.directorSession(jobID: 9))
        #expect(replay.reservations.map { $0.storages.first?.storage.poolName } == ["Copies"])
        #expect(replay.peers == [
            StoragePeerCommand(address: "127.0.0.1", port: 19103, ssl: 0, job: Self.readJob, authentication: Self.readKey)
        ])
        #expect(replay.peers.first?.bytes == (try Self.directorSession(jobID: 9)).incoming.first {
            $0.text.hasPrefix("storage address=")
        }?.payload)
        #expect(replay.closed == [nil])
    }

    @Test func readingSideOfTheDataLinkReplays() throws {
        try Self.capture.replayReadingSide(type: .copy, readSessionID: 7, writeSessionID: 8, fileIndexes: 1...10)
    }

    @Test func writingSideOfTheDataLinkReplays() throws {
        try Self.capture.replayWritingSide(writeSessionID: 8, files: 10)
    }

    @Test func storageCommandOutcomes() {
        let use = Array("use storage=S media_type=File pool_name=P pool_type=Backup append=1 copy=0 stripe=0\n".utf8)
        let peer = StoragePeerCommand(address: "127.0.0.1", port: 9, ssl: 0, job: "R.2026-12-02_06.38.38_17", authentication: "K")
        func reserved(type: JobType) -> DirectorSessionMachineTests.Replay {
            var replay = DirectorSessionMachineTests.Replay()
            let start = JobStartCommand(
                jobID: 9, job: "W.2026-12-02_06.38.38_18", jobName: "W", clientName: "c", type: type, level: .full,
                fileSet: "S", fileSetMD5: "x")
            replay.carryOut(replay.machine.received(.payload(start.bytes), jobs: replay.jobs))
            replay.carryOut(replay.machine.received(.payload(use), jobs: replay.jobs))
            replay.carryOut(replay.machine.received(.payload(Array("use device=D\n".utf8)), jobs: replay.jobs))
            replay.carryOut(replay.machine.received(.signal(.endOfData), jobs: replay.jobs))
            replay.carryOut(replay.machine.received(.signal(.endOfData), jobs: replay.jobs))
            replay.carryOut(replay.machine.reservationSucceeded(device: "D"))
            return replay
        }
        var failing = reserved(type: .backup)
        failing.carryOut(failing.machine.received(.payload(peer.bytes), jobs: failing.jobs))
        #expect(failing.peers == [peer])
        #expect(failing.machine.awaitsCompletion)
        failing.carryOut(failing.machine.storageConnectionFailed())
        #expect(failing.sent.last == .payload(Array("2902 Bad storage\n".utf8)))
        #expect(failing.closed.isEmpty)

        var reading = reserved(type: .copy)
        reading.carryOut(reading.machine.received(.payload(peer.bytes), jobs: reading.jobs))
        #expect(reading.peers.isEmpty)
        #expect(reading.closed.count == 1)
    }
}
