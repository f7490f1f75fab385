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

    static func sessions() throws -> [CapturedSession] { try Captures.storageSessions("bacula-director-capture.pcap") }

    static func directorSession(jobID: Int) throws -> CapturedSession {
        try #require(try sessions().first { session in
            session.peer == .director && session.incoming.contains { $0.text.hasPrefix("JobId=\(jobID) ") }
        })
    }

    static func dataLink() throws -> CapturedSession {
        try #require(try sessions().first { $0.hello.starts(with: Array("Hello Bacula SD: Start Job \(readJob)".utf8)) })
    }

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

    /// The records the reading SD streamed on s29, as the writing side's parser makes them.
    static func streamedRecords(_ link: CapturedSession) throws -> [Record] {
        var parser = RecordStreamParser(sessionID: 8, sessionTime: sessionTime)
        var records: [Record] = []
        let data = link.outgoing.drop { $0.text != "3000 OK data\n" }.dropFirst()
        for frame in data {
            if case .record(let record) = try parser.receive(frame) { records.append(record) }
        }
        return records
    }

    @Test func readingSideOfTheDataLinkReplays() throws {
        let link = try Self.dataLink()
        let records = try Self.streamedRecords(link)
        #expect(Set(records.map(\.fileIndex)) == Set(1...10))
        let job = FileDaemonSessionMachineTests.job(Self.readJob, type: .copy, sessionID: 7, key: Self.readKey)
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
        let job = FileDaemonSessionMachineTests.job(Self.writeJob, type: .backup, sessionID: 8, key: "xx")
        var replay = FileDaemonSessionMachineTests.Replay()
        replay.machine = FileDaemonSessionMachine(peerWriterFor: job)
        for frame in link.outgoing { try replay.carryOut(replay.machine.received(frame)) }
        // What the writing SD sent after authentication: `3000 OK data`, `3000 OK append data`.
        #expect(replay.sent == link.incoming)
        func contents(_ records: [Record]) -> [[Int32]] { records.map { [$0.fileIndex, $0.stream, Int32($0.data.count)] } }
        #expect(contents(replay.stored) == contents(try Self.streamedRecords(link)))
        #expect(replay.stored.map(\.data) == (try Self.streamedRecords(link)).map(\.data))
        #expect(replay.summary?.fileCount == 10)
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])
    }
}

extension CopyReplayTests {
    /// A write job whose peer SD cannot be reached gets `2902 Bad storage`; `storage` is refused outside a write job.
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
