import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

/// Replays the captured FD data connections, authentication included: the FD's frames are fed as events, the I/O
/// completions are given at once, and every frame the machine emits must equal the real SD's.
@Suite struct FileDaemonSessionMachineTests {
    static let backupJob = "BackupTest.2026-11-26_15.26.28_03"
    static let restoreJob = "RestoreFiles.2026-11-26_15.26.34_05"

    static func job(_ name: String, type: JobType, sessionID: UInt32, key: String) -> StorageJob {
        let command = JobStartCommand(
            jobID: sessionID, job: name, jobName: "J", clientName: "proto-fd", type: type, level: .full,
            fileSet: "TestSet", fileSetMD5: "m")
        return StorageJob(
            command: command, sessionID: sessionID, sessionTime: 1_795_706_784, authorization: key, phase: .running)
    }

    static let table = StorageJobTable([
        job(backupJob, type: .backup, sessionID: 1, key: "OCNB-PIKA-GNBC-PEPN-FCCC-OOGA-AKPA-LIOL"),
        job(restoreJob, type: .restore, sessionID: 2, key: "JOPE-FCLM-JNKF-LHFL-MOIB-EOMO-CNKO-AGFJ"),
    ])

    /// The challenge the real SD sent, so the machine's frames can equal the capture's.
    static func challenge(of session: CapturedSession) throws -> Challenge {
        let line = try #require(ChallengeLine(parsing: session.allOutgoing[0].payload ?? []))
        let match = try #require(line.challenge.wholeMatch(of: /<([0-9]+)\.([0-9]+)@(.+)>/))
        return Challenge(
            random: try #require(UInt32(match.1)), time: try #require(UInt32(match.2)), name: String(match.3))
    }

    struct Replay {
        var machine = FileDaemonSessionMachine(welcomeVersion: 306)
        var sent: [Frame] = []
        var stored: [Record] = []
        var attached: [String] = []
        var closedSessions: [JobStatus] = []
        var closed: [FileDaemonSessionError?] = []
        var summary: RecordStreamSummary?
        var recordsToRestore: [Record] = []

        mutating func carryOut(_ actions: [FileDaemonSessionMachine.Action]) throws {
            for action in actions {
                switch action {
                case .send(let frames): sent += frames
                case .attach(let job): attached.append(job.name)
                case .prepareAppend: try carryOut(machine.appendReady())
                case .store(let record): stored.append(record)
                case .commitAppend(let summary):
                    self.summary = summary
                    try carryOut(machine.appendCommitted())
                case .prepareRead:
                    try carryOut(machine.readReady())
                    for record in recordsToRestore { try carryOut(machine.send(record)) }
                    try carryOut(machine.readFinished())
                case .sessionClosed(_, let status): closedSessions.append(status)
                case .close(let error): closed.append(error)
                case .holdInputAfterNextFrame, .startTLS: break  // no TLS in these tests
                }
            }
        }

        mutating func run(_ session: CapturedSession) throws {
            try carryOut(
                machine.receivedHello(
                    session.hello, jobs: FileDaemonSessionMachineTests.table,
                    challenge: try FileDaemonSessionMachineTests.challenge(of: session)))
            for frame in session.allIncoming.dropFirst() { try carryOut(machine.received(frame)) }
            #expect(sent.count == session.allOutgoing.count)
            for (i, (ours, theirs)) in zip(sent, session.allOutgoing).enumerated() {
                #expect(ours == theirs, "frame \(i): ours \(ours.text.prefix(50)) theirs \(theirs.text.prefix(50))")
            }
        }
    }

    @Test func backupSessionReplays() throws {
        var replay = Replay()
        try replay.run(try Captures.backupSessions()[1])
        #expect(replay.attached == [Self.backupJob])
        #expect(replay.stored == (try RecordStreamTests.backupRecords().records))
        #expect(replay.summary?.fileCount == 6)
        #expect(replay.summary?.byteCount == 200_775)
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])  // the FD's TERMINATE after the close
    }

    /// The same replay with `received(_:into:)`, as the SD feeds a record stream: one array, emptied and reused per
    /// frame, gets the same actions.
    @Test func backupSessionReplaysIntoOneReusedArray() throws {
        let session = try Captures.backupSessions()[1]
        var replay = Replay()
        try replay.carryOut(
            replay.machine.receivedHello(session.hello, jobs: Self.table, challenge: try Self.challenge(of: session)))
        var actions: [FileDaemonSessionMachine.Action] = []
        for frame in session.allIncoming.dropFirst() {
            actions.removeAll(keepingCapacity: true)
            replay.machine.received(frame, into: &actions)
            try replay.carryOut(actions)
        }
        #expect(replay.sent == session.allOutgoing)
        #expect(replay.stored == (try RecordStreamTests.backupRecords().records))
        #expect(replay.closedSessions == [.terminated])
        #expect(replay.closed == [nil])
    }

    @Test func restoreSessionReplays() throws {
        var replay = Replay()
        replay.recordsToRestore = try RecordStreamTests.backupRecords().records
        try replay.run(try Captures.backupSessions()[3])
        #expect(replay.attached == [Self.restoreJob])
        #expect(replay.closedSessions == [.running])
        #expect(replay.closed == [nil])
    }

    // MARK: - Refusals

    static let hello = FileDaemonHelloToStorageDaemon(jobName: backupJob).bytes
    static let someChallenge = Challenge(random: 1, time: 2, name: "capstan-sd")

    @Test func unknownJobIsRefused() {
        var machine = FileDaemonSessionMachine()
        let actions = machine.receivedHello(
            FileDaemonHelloToStorageDaemon(jobName: "Nope.1").bytes, jobs: Self.table, challenge: Self.someChallenge)
        #expect(actions == [.close(.unknownJob("Nope.1"))])
    }

    @Test func endedOrAttachedJobIsRefused() {
        var table = Self.table
        table.setPhase(.ended, of: Self.backupJob)
        var machine = FileDaemonSessionMachine()
        #expect(
            machine.receivedHello(Self.hello, jobs: table, challenge: Self.someChallenge) == [
                .close(.jobAlreadyEnded(Self.backupJob))
            ])
        table.setPhase(.fileDaemonAttached, of: Self.backupJob)
        var again = FileDaemonSessionMachine()
        #expect(
            again.receivedHello(Self.hello, jobs: table, challenge: Self.someChallenge) == [
                .close(.jobAlreadyAttached(Self.backupJob))
            ])
    }

    @Test func wrongKeyIsRefused() throws {
        // The real FD's response, checked against a job table that holds a different key.
        let session = try Captures.backupSessions()[1]
        var table = StorageJobTable()
        table.insert(
            Self.job(Self.backupJob, type: .backup, sessionID: 1, key: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"))
        var machine = FileDaemonSessionMachine()
        _ = machine.receivedHello(session.hello, jobs: table, challenge: try Self.challenge(of: session))
        let actions = machine.received(session.allIncoming[1])
        #expect(actions == [.send([.payload(AuthLine.failed)]), .close(.wrongKey(job: Self.backupJob))])
    }

    /// An authenticated machine for the backup job (the capture's handshake, replayed).
    static func authenticated(_ index: Int = 1) throws -> FileDaemonSessionMachine {
        let session = try Captures.backupSessions()[index]
        var machine = FileDaemonSessionMachine()
        _ = machine.receivedHello(session.hello, jobs: table, challenge: try challenge(of: session))
        for frame in session.allIncoming[1..<4] { _ = machine.received(frame) }
        #expect(machine.stateName == "authenticated, no session open")
        return machine
    }

    @Test func appendDataBeforeOpenIsRefused() throws {
        var machine = try Self.authenticated()
        #expect(
            machine.received(.text("append data 1\n")) == [
                .send([.text("3902 Error session not opened\n")]),
                .close(
                    .outOfOrder(job: Self.backupJob, command: "append data", state: "authenticated, no session open")),
            ])
    }

    @Test func readSessionOnABackupJobIsRefused() throws {
        var machine = try Self.authenticated()
        #expect(
            machine.received(.text("read open session = DummyVolume 1 2 0 0 0 0\n")) == [
                .send([.text("3900 Invalid command\n")]),
                .close(
                    .outOfOrder(
                        job: Self.backupJob, command: "read open session", state: "authenticated, no session open")),
            ])
    }

    @Test func secondOpenAndWrongTicketAreRefused() throws {
        var machine = try Self.authenticated()
        #expect(machine.received(.text("append open session\n")) == [.send([.text("3000 OK open ticket = 1\n")])])
        var twice = machine
        #expect(
            twice.received(.text("append open session\n")).first == .send([.text("3901 Error session already open\n")]))
        #expect(
            machine.received(.text("append data 7\n")).last
                == .close(.wrongTicket(job: Self.backupJob, command: "append data", expected: 1, received: 7)))
    }

    @Test func malformedRecordStreamFailsTheAppend() throws {
        var machine = try Self.authenticated()
        _ = machine.received(.text("append open session\n"))
        _ = machine.received(.text("append data 1\n"))
        #expect(machine.appendReady() == [.send([.text("3000 OK data\n")])])
        #expect(
            machine.received(.text("2 1 0")) == [
                .send([.text("3999 Failed append\n")]),
                .close(.badRecordStream(job: Self.backupJob, .fileIndexOutOfOrder(previous: 0, received: 2, frame: 1))),
            ])
    }

    @Test func garbageCommandAndLostConnectionAreReported() throws {
        var machine = try Self.authenticated()
        let actions = machine.received(.text("append bananas\n"))
        #expect(actions.first == .send([.text("3900 Invalid command\n")]))
        var lost = try Self.authenticated()
        _ = lost.received(.text("append open session\n"))
        #expect(
            lost.connectionClosed()
                == [.close(.connectionLost(job: Self.backupJob, state: "append session open, waiting for append data"))]
        )
    }

    @Test func completionsOutOfTurnAreMisuse() throws {
        var machine = try Self.authenticated()
        #expect(
            machine.appendReady() == [.close(.misuse(call: "appendReady", state: "authenticated, no session open"))])
        var idle = try Self.authenticated()
        #expect(throws: FileDaemonSessionError.misuse(call: "send(record)", state: "authenticated, no session open")) {
            try idle.send(Record(sessionID: 1, sessionTime: 1, fileIndex: 1, stream: 1, data: [1]))
        }
    }
}
