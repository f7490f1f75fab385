import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

/// A Copy or Migrate job in a capture of real 9.6.7 daemons: the names of its read and write jobs, the read job's
/// key and the SD's session time. Finds its sessions, and replays the SD-to-SD data link through the FD-session
/// machine from both ends (the reading SD serves it like a restore; the writing SD reads it like an FD's backup).
struct PeerJobCapture {
    var capture: String
    var readJob: String
    var readKey: String
    var writeJob: String
    var sessionTime: UInt32

    func sessions() throws -> [CapturedSession] { try Captures.storageSessions(capture) }

    /// The Director's connection that started JobId `jobID`.
    func directorSession(jobID: Int) throws -> CapturedSession {
        try #require(try sessions().first { session in
            session.peer == .director && session.incoming.contains { $0.text.hasPrefix("JobId=\(jobID) ") }
        })
    }

    /// The writing SD's connection to the reading SD (it says hello as the read job's FD).
    func dataLink() throws -> CapturedSession {
        try #require(try sessions().first { $0.hello.starts(with: Array("Hello Bacula SD: Start Job \(readJob)".utf8)) })
    }

    /// The records the reading SD streamed on the data link, as the writing side's parser makes them.
    func streamedRecords(_ link: CapturedSession, writeSessionID: UInt32) throws -> [Record] {
        var parser = RecordStreamParser(sessionID: writeSessionID, sessionTime: sessionTime)
        var records: [Record] = []
        for frame in link.outgoing.drop(while: { $0.text != "3000 OK data\n" }).dropFirst() {
            if case .record(let record) = try parser.receive(frame) { records.append(record) }
        }
        return records
    }

    /// The reading side: given the captured records to serve, the machine sends what the real SD sent, frame for
    /// frame, and ends the session as it did.
    func replayReadingSide(type: JobType, readSessionID: UInt32, writeSessionID: UInt32, fileIndexes: ClosedRange<Int32>) throws {
        let link = try dataLink()
        let records = try streamedRecords(link, writeSessionID: writeSessionID)
        #expect(Set(records.map(\.fileIndex)) == Set(fileIndexes))
        let job = FileDaemonSessionMachineTests.job(readJob, type: type, sessionID: readSessionID, key: readKey)
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
        #expect(replay.attached == [readJob])
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])
    }

    /// The writing side: fed what the reading SD sent, the machine answers what the real writing SD answered
    /// (`3000 OK data`, `3000 OK append data`) and stores every record, `files` files in all.
    func replayWritingSide(writeSessionID: UInt32, files: UInt32) throws {
        let link = try dataLink()
        let job = FileDaemonSessionMachineTests.job(writeJob, type: .backup, sessionID: writeSessionID, key: "xx")
        var replay = FileDaemonSessionMachineTests.Replay()
        replay.machine = FileDaemonSessionMachine(peerWriterFor: job)
        for frame in link.outgoing { try replay.carryOut(replay.machine.received(frame)) }
        #expect(replay.sent == link.incoming)
        let streamed = try streamedRecords(link, writeSessionID: writeSessionID)
        func contents(_ records: [Record]) -> [[Int32]] { records.map { [$0.fileIndex, $0.stream, Int32($0.data.count)] } }
        #expect(contents(replay.stored) == contents(streamed))
        #expect(replay.stored.map(\.data) == streamed.map(\.data))
        #expect(replay.summary?.fileCount == files)
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])
    }
}
