import BaculaVolume
import BaculaWire

/// The SD side of an FD data connection as a value (spec §3.4): feed it the frames the FD sends and the I/O layer's
/// completions; carry out the actions it returns, in order. It never touches a socket, a volume or a clock.
///
/// Sequence [WIRE, replayed from the capture by the tests]:
/// hello → (job lookup, CRAM-MD5 with the job key, `3000 OK Hello %d`) → `append open session` → ticket →
/// `append data N` → (volume ready) `3000 OK data` → records … EOD → (stored) `3000 OK append data` →
/// `append end session N` → `3000 OK end` → `append close session N` → `3000 OK close Status = 84` + EOD → TERMINATE;
/// or `read open session = …` → ticket → `read data N` → (volume ready) `3000 OK data` → `rechdr`+record … EOD →
/// `read close session N` → `3000 OK close Status = 82` + EOD → TERMINATE.
///
/// Every refusal is a `.close(error)` action preceded by the reply the SD sends, if any; the error names the job and
/// the command. Capstan's choice: any refusal ends the connection (a 9.6 FD fails the job on them anyway).
public struct FileDaemonSessionMachine: Sendable {
    public enum Action: Equatable, Sendable {
        /// Send these frames.
        case send([Frame])
        /// The FD proved it holds `job`'s key: mark the job `fileDaemonAttached` and tell the Director session
        /// (`fileDaemonConnected()`, which sends `3010 Job … start`).
        case attach(StorageJob)
        /// Make a volume ready for writing; then call `appendReady()` or `appendUnavailable(reason:)`.
        case prepareAppend(StorageJob)
        /// Store this record (one FD data packet), in order.
        case store(Record)
        /// The FD sent everything: make the records durable; then call `appendCommitted()` or `appendFailed(_:)`.
        case commitAppend(RecordStreamSummary)
        /// Position a volume for reading the job's bootstrap; then call `readReady()` (and `send(_:)` per record,
        /// then `readFinished()`) or `readUnavailable(reason:)`.
        case prepareRead(StorageJob)
        /// The FD closed its session with this status (append: the job's result; read: still running).
        case sessionClosed(StorageJob, status: JobStatus)
        /// Close the connection (after sending what the previous actions listed); the error, if any, is for the
        /// job log.
        case close(FileDaemonSessionError?)
        /// TLS was negotiated (spec §2.7): the FD's next frame is its last plaintext one; hold the bytes after it
        /// (its TLS hello may come in the same read). Comes before the `send` it precedes.
        case holdInputAfterNextFrame
        /// Switch the connection to TLS as the server now (before sending the welcome that follows).
        case startTLS
    }

    /// Where the session stands. The job is not part of the state (it is `job`): a transition copies no job.
    enum State: Sendable {
        case awaitingHello
        case authenticating(Handshake)
        case authenticated
        case appendOpened
        case appendWaitingForVolume
        case receivingRecords(RecordStreamParser)
        case committing
        case appendStored(JobStatus)
        case appendEnded(JobStatus)
        case readOpened
        case readWaitingForVolume
        case sendingRecords
        case readSent
        case sessionClosed
        /// Peer reader: `3000 OK data` sent, waiting for the writer's.
        case peerWaitingForWriter
        /// Peer writer: waiting for the reader's `3000 OK data`.
        case peerWaitingForReader
        case closed

        var name: String {
            switch self {
            case .awaitingHello: return "waiting for the FD's hello"
            case .authenticating: return "authenticating"
            case .authenticated: return "authenticated, no session open"
            case .appendOpened: return "append session open, waiting for append data"
            case .appendWaitingForVolume: return "waiting for a volume to append to"
            case .receivingRecords: return "receiving records"
            case .committing: return "storing the received records"
            case .appendStored: return "append data stored, waiting for append end session"
            case .appendEnded: return "append session ended, waiting for append close session"
            case .readOpened: return "read session open, waiting for read data"
            case .readWaitingForVolume: return "waiting for a volume to read"
            case .sendingRecords: return "sending records"
            case .readSent: return "records sent, waiting for read close session"
            case .sessionClosed: return "session closed"
            case .peerWaitingForWriter: return "waiting for the writing Storage daemon's 3000 OK data"
            case .peerWaitingForReader: return "waiting for the reading Storage daemon's 3000 OK data"
            case .closed: return "closed"
            }
        }
    }

    private var state: State = .awaitingHello
    /// The job the FD named in its hello (or the peer writer's job); kept out of `state` so that the per-frame
    /// transitions of a record stream copy (retain and release) none of its strings.
    private var job: StorageJob?
    /// The number this SD announces in `3000 OK Hello %d` (306 like 9.6; 0 stops a real FD from compressing).
    public let welcomeVersion: Int
    /// The client is the write job's SD of a Copy/Migrate, this side serves the read job (see `peerReaderAttached`).
    private var peerReader = false
    /// This side is the write job's SD of a Copy/Migrate, connected to the SD that serves the read job.
    private var peerWriter = false
    /// Peer reader: the (FileIndex, Stream) whose header was sent last and whose EOD is still due.
    private var openStream: (fileIndex: Int32, stream: Int32)?

    public init(welcomeVersion: Int = 306) {
        self.welcomeVersion = welcomeVersion
    }

    /// The write side of a Copy/Migrate [WIRE], on a connection it opened and authenticated: waits for the reading
    /// SD's `3000 OK data`, then goes on as an append session (`prepareAppend` → `appendReady()` sends `3000 OK data`
    /// → records → EOD → `commitAppend` → `appendCommitted()` sends `3000 OK append data`), and the session ends.
    public init(peerWriterFor job: StorageJob, welcomeVersion: Int = 306) {
        self.welcomeVersion = welcomeVersion
        peerWriter = true
        self.job = job
        state = .peerWaitingForReader
    }

    /// Copy/Migrate read jobs (type 'c' 99, 'g' 103) are served to a peer SD rather than an FD.
    static func servesPeer(_ job: StorageJob) -> Bool { job.command.type == .copy || job.command.type == .migrate }

    /// A description of where the session stands (for logs and errors).
    public var stateName: String { state.name }

    // MARK: - Events from the FD

    /// The first frame of the connection. `jobs` is the SD's job table now; `challenge` a fresh CRAM challenge.
    /// `tls` is what the SD announces (`ssl=`) on FD connections (its Storage resource's TLS settings).
    public mutating func receivedHello(
        _ bytes: [UInt8], jobs: StorageJobTable, challenge: Challenge, tls: TLSNeed = .none
    ) -> [Action] {
        guard case .awaitingHello = state else { return fail(.misuse(call: "receivedHello", state: state.name)) }
        let hello: FileDaemonHelloToStorageDaemon
        do {
            hello = try FileDaemonHelloToStorageDaemon(parsing: bytes)
        } catch {
            return fail(.malformedHello(error))
        }
        guard let job = jobs[hello.jobName] else { return fail(.unknownJob(hello.jobName)) }
        switch job.phase {
        case .ended: return fail(.jobAlreadyEnded(job.name))
        case .fileDaemonAttached: return fail(.jobAlreadyAttached(job.name))
        case .created, .running: break
        }
        // A 9.6 SD sends its welcome only to FDs of version 9 and later (spec §7.3).
        let welcome = hello.fileDaemonVersion >= 9 ? WelcomeLine.storageDaemon(version: welcomeVersion).bytes : nil
        var handshake = Handshake(acceptorKey: .jobKey(job.authorization), challenge: challenge, welcome: welcome, tls: tls)
        let first = handshake.start()
        self.job = job
        state = .authenticating(handshake)
        return handshakeActions(first, job: job, handshake: handshake)
    }

    /// Any later frame from the FD.
    public mutating func received(_ frame: Frame) -> [Action] {
        var actions: [Action] = []
        received(frame, into: &actions)
        return actions
    }

    /// Any later frame from the FD; its actions are appended to `actions` (a caller feeding a record stream frame by
    /// frame reuses one array instead of getting a new one per frame).
    public mutating func received(_ frame: Frame, into actions: inout [Action]) {
        // The record stream first: most frames of a backup are records.
        if case .receivingRecords(var parser) = state {
            do {
                let output = try parser.receive(frame)
                state = .receivingRecords(parser)
                switch output {
                case .none, .streamStarted, .streamEnded: return
                case .record(let record): actions.append(.store(record))
                case .endOfData(let summary):
                    state = .committing
                    actions.append(.commitAppend(summary))
                }
            } catch {
                actions += fail(.badRecordStream(job: job?.name ?? "", error), reply: .appendFailed)
            }
            return
        }
        actions += receivedOutsideRecords(frame)
    }

    /// The stream of the record stream whose data packets come now (nil outside a record stream, or where a stream
    /// header or the end is expected).
    public var recordDataStream: RecordHeader? {
        if case .receivingRecords(let parser) = state { return parser.currentStream }
        return nil
    }

    /// A data packet of `count` bytes (at least 1) of `recordDataStream`, which the caller stores itself (received
    /// straight into a block, so its bytes never come here): counted as `received(_:)` counts one; its record's
    /// header, or nil when no stream is open (the packet must go through `received(_:)`).
    public mutating func receivedRecordData(count: Int) -> RecordHeader? {
        guard case .receivingRecords(var parser) = state, let header = parser.receiveData(count: count) else { return nil }
        state = .receivingRecords(parser)
        return header
    }

    private mutating func receivedOutsideRecords(_ frame: Frame) -> [Action] {
        // [WIRE] a 9.6 FD sends TERMINATE twice at the end of a restore; anything after the close is ignored.
        if case .closed = state { return [] }
        if case .authenticating(var handshake) = state, let job {
            let action = handshake.received(frame)
            state = .authenticating(handshake)
            return handshakeActions(action, job: job, handshake: handshake)
        }
        switch frame {
        case .signal(let signal):
            if signal == .terminate {
                let lost: FileDaemonSessionError? =
                    if case .sessionClosed = state { nil } else {
                        .connectionLost(job: job?.name, state: state.name)
                    }
                state = .closed
                return [.close(lost)]
            }
            return []  // heartbeats and stray EODs between commands are ignored
        case .payload(let bytes):
            guard let job else { return fail(.misuse(call: "received", state: state.name)) }
            if peerReader || peerWriter { return receivedFromPeer(bytes, job: job) }
            let command: FileDaemonCommand
            do {
                command = try FileDaemonCommand(parsing: bytes)
            } catch {
                return fail(.invalidCommand(job: job.name, error), reply: .invalidCommand)
            }
            return handle(command, job: job)
        }
    }

    /// The connection closed under the session.
    public mutating func connectionClosed() -> [Action] {
        switch state {
        case .closed: return []
        case .sessionClosed:
            state = .closed
            return [.close(nil)]
        default:
            let error = FileDaemonSessionError.connectionLost(job: job?.name, state: state.name)
            state = .closed
            return [.close(error)]
        }
    }

    /// Copy/Migrate [WIRE]: the peers exchange reply lines only; records travel in `.receivingRecords` (writer) or
    /// are sent by `send(_:)` (reader).
    private mutating func receivedFromPeer(_ bytes: [UInt8], job: StorageJob) -> [Action] {
        let reply = try? FileDaemonSessionReply(parsing: bytes)
        switch (state, reply) {
        case (.peerWaitingForWriter, .dataReady?):
            state = .readWaitingForVolume
            return [.prepareRead(job)]
        case (.peerWaitingForReader, .dataReady?):
            state = .appendWaitingForVolume
            return [.prepareAppend(job)]
        case (.readSent, .appendDataStored?):
            state = .sessionClosed
            return [.sessionClosed(job, status: .terminated), .close(nil)]
        case (.readSent, _):
            state = .sessionClosed
            return [
                .sessionClosed(job, status: .error),
                .close(.volumeUnavailable(job: job.name, reason: "the writing Storage daemon answered: \(Line.text(bytes))")),
            ]
        default:
            return fail(.outOfOrder(job: job.name, command: Line.text(bytes), state: state.name))
        }
    }

    private mutating func handle(_ command: FileDaemonCommand, job: StorageJob) -> [Action] {
        let ticket = Int32(bitPattern: job.sessionID)
        func check(_ received: Int32) -> FileDaemonSessionError? {
            received == ticket
                ? nil
                : .wrongTicket(job: job.name, command: command.name, expected: ticket, received: received)
        }
        switch (command, state) {
        case (.appendOpen, .authenticated) where job.appends:
            state = .appendOpened
            return [.send([.payload(FileDaemonSessionReply.ticket(ticket).bytes)])]
        case (.appendData(let received), .appendOpened):
            if let error = check(received) { return fail(error, reply: .sessionNotOpened) }
            state = .appendWaitingForVolume
            return [.prepareAppend(job)]
        case (.appendEnd(let received), .appendStored(let status)):
            if let error = check(received) { return fail(error, reply: .sessionNotOpened) }
            state = .appendEnded(status)
            return [.send([.payload(FileDaemonSessionReply.sessionEnded.bytes)])]
        case (.appendClose(let received), .appendEnded(let status)):
            if let error = check(received) { return fail(error, reply: .sessionNotOpened) }
            state = .sessionClosed
            return [
                .send([.payload(FileDaemonSessionReply.sessionClosed(status: status).bytes), .signal(.endOfData)]),
                .sessionClosed(job, status: status),
            ]
        case (.readOpen, .authenticated) where !job.appends:
            state = .readOpened
            return [.send([.payload(FileDaemonSessionReply.ticket(ticket).bytes)])]
        case (.readData(let received), .readOpened):
            if let error = check(received) { return fail(error, reply: .sessionNotOpened) }
            state = .readWaitingForVolume
            return [.prepareRead(job)]
        case (.readClose(let received), .readSent):
            if let error = check(received) { return fail(error, reply: .sessionNotOpened) }
            state = .sessionClosed
            // [WIRE] the real SD answers a read close with the job's current status, still 'R' (82).
            return [
                .send([.payload(FileDaemonSessionReply.sessionClosed(status: .running).bytes), .signal(.endOfData)]),
                .sessionClosed(job, status: .running),
            ]
        default:
            let error = FileDaemonSessionError.outOfOrder(job: job.name, command: command.name, state: state.name)
            switch (command, state) {
            case (.appendOpen, _), (.readOpen, _):
                if case .authenticated = state { return fail(error, reply: .invalidCommand) }
                return fail(error, reply: .sessionAlreadyOpen)
            default:
                return fail(error, reply: .sessionNotOpened)
            }
        }
    }

    // MARK: - Completions from the I/O layer

    /// A volume is mounted and positioned for appending: tell the FD to send.
    public mutating func appendReady() -> [Action] {
        guard case .appendWaitingForVolume = state, let job else {
            return fail(.misuse(call: "appendReady", state: state.name))
        }
        state = .receivingRecords(RecordStreamParser(sessionID: job.sessionID, sessionTime: job.sessionTime))
        return [.send([.payload(FileDaemonSessionReply.dataReady.bytes)])]
    }

    /// No volume could be made ready for appending.
    public mutating func appendUnavailable(reason: String) -> [Action] {
        guard case .appendWaitingForVolume = state, let job else {
            return fail(.misuse(call: "appendUnavailable", state: state.name))
        }
        return fail(.volumeUnavailable(job: job.name, reason: reason), reply: .appendDataError(reason))
    }

    /// Every record received is stored.
    public mutating func appendCommitted() -> [Action] {
        guard case .committing = state, let job else {
            return fail(.misuse(call: "appendCommitted", state: state.name))
        }
        state = .appendStored(.terminated)
        let reply: [Action] = [.send([.payload(FileDaemonSessionReply.appendDataStored.bytes)])]
        if peerWriter {
            state = .sessionClosed
            return reply + [.sessionClosed(job, status: .terminated), .close(nil)]
        }
        return reply
    }

    /// Storing failed: the FD is told, and the session closes with status 'E' when it gets that far.
    public mutating func appendFailed(_ reason: String?) -> [Action] {
        guard case .committing = state, let job else { return fail(.misuse(call: "appendFailed", state: state.name)) }
        state = .appendStored(.error)
        let reply: FileDaemonSessionReply = reason.map { .appendDataError($0) } ?? .appendFailed
        if peerWriter {
            state = .sessionClosed
            return [.send([.payload(reply.bytes)]), .sessionClosed(job, status: .error), .close(nil)]
        }
        return [.send([.payload(reply.bytes)])]
    }

    /// A volume is positioned for reading: tell the FD records are coming.
    public mutating func readReady() -> [Action] {
        guard case .readWaitingForVolume = state, job != nil else {
            return fail(.misuse(call: "readReady", state: state.name))
        }
        state = .sendingRecords
        if peerReader { return [] }  // [WIRE] its `3000 OK data` went out at authentication
        return [.send([.payload(FileDaemonSessionReply.dataReady.bytes)])]
    }

    /// No volume could be made ready for reading: `3000 error\n` (spec §3.4.6), then the connection ends.
    public mutating func readUnavailable(reason: String) -> [Action] {
        guard case .readWaitingForVolume = state, let job else {
            return fail(.misuse(call: "readUnavailable", state: state.name))
        }
        return fail(.volumeUnavailable(job: job.name, reason: reason), reply: .readDataFailed)
    }

    /// One selected record for the FD: its `rechdr` frame and its data frame. For a peer SD [WIRE] the records go
    /// as an FD sends a backup: a `FileIndex Stream Length` header when the (FileIndex, Stream) changes (after the
    /// EOD of the previous stream), then the record's data frame.
    public mutating func send(_ record: Record) throws(FileDaemonSessionError) -> [Action] {
        // No copy of the job per record: its name is looked up only for an error.
        guard case .sendingRecords = state, job != nil else { throw .misuse(call: "send(record)", state: state.name) }
        if peerReader {
            guard record.fileIndex > 0 else {
                throw .badRecordStream(job: job?.name ?? "", .labelRecord(fileIndex: record.fileIndex))
            }
            var frames: [Frame] = []
            if openStream.map({ $0.fileIndex != record.fileIndex || $0.stream != record.stream }) ?? true {
                if openStream != nil { frames.append(.signal(.endOfData)) }
                let header = RecordHeader(
                    fileIndex: record.fileIndex, stream: record.stream, expectedLength: Int64(record.data.count))
                frames.append(.payload(header.bytes))
                openStream = (record.fileIndex, record.stream)
            }
            frames.append(.payload(record.data))
            return [.send(frames)]
        }
        do {
            return [.send(try RecordStreamEncoder.frames(for: record))]
        } catch {
            throw .badRecordStream(job: job?.name ?? "", error)
        }
    }

    /// Every selected record was sent: the closing EOD.
    public mutating func readFinished() -> [Action] {
        guard case .sendingRecords = state, job != nil else {
            return fail(.misuse(call: "readFinished", state: state.name))
        }
        state = .readSent
        if peerReader {
            let streamEnd: [Frame] = openStream == nil ? [] : [.signal(.endOfData)]
            openStream = nil
            return [.send(streamEnd + [RecordStreamEncoder.endOfData])]
        }
        return [.send([RecordStreamEncoder.endOfData])]
    }

    // MARK: - Helpers

    private mutating func handshakeActions(_ action: Handshake.Action, job: StorageJob, handshake: Handshake) -> [Action] {
        switch action {
        case .wait: return []
        case .send(let frames): return (handshake.tlsFollowsNextFrame ? [.holdInputAfterNextFrame] : []) + [.send(frames)]
        case .authenticated(let frames, let outcome):
            let tls: [Action] = outcome.tls ? [.startTLS] : []
            if Self.servesPeer(job) {
                // [WIRE] the reading SD says `3000 OK data` as soon as its peer is in, then waits for the peer's.
                peerReader = true
                state = .peerWaitingForWriter
                return tls + [.send(frames), .attach(job), .send([.payload(FileDaemonSessionReply.dataReady.bytes)])]
            }
            state = .authenticated
            return tls + [.send(frames), .attach(job)]
        case .fail(let frames, let error):
            state = .closed
            let reason: FileDaemonSessionError =
                error == .responseMismatch ? .wrongKey(job: job.name) : .authenticationFailed(job: job.name, error)
            return (frames.isEmpty ? [] : [.send(frames)]) + [.close(reason)]
        }
    }

    private mutating func fail(_ error: FileDaemonSessionError, reply: FileDaemonSessionReply? = nil) -> [Action] {
        state = .closed
        return (reply.map { [.send([.payload($0.bytes)])] } ?? []) + [.close(error)]
    }
}
