import BaculaVolume
import BaculaWire

/// The SD side of a Director connection after authentication, as a value (spec §3.3): feed it the Director's frames
/// and the I/O layer's completions and requests; carry out the returned actions in order.
///
/// Job sequence [WIRE, replayed from the capture by the tests]: `JobId=` → (register) `3000 OK Job SDid= …` →
/// `use storage=` / `use device=` … EOD EOD → (reserve; catalog requests may go out first) `3000 OK use device
/// device=…` → [`bootstrap\n` + lines + EOD → `3000 OK bootstrap\n`] → `run` → `Status … JobStatus=70` → (FD
/// attached) `3010 Job … start` + `Status … JobStatus=82` → catalog requests, Jmsg, status … → `3099 Job … end …`,
/// EOD, TERMINATE, close.
/// VirtualFull (type 66, level 102) [WIRE]: `JobId=` → `3000 OK Job` → bootstrap → `use storage= … append=0` → `3000 OK
/// use device` → `use storage= … append=1` → (FindMedia) `3000 OK use device` → `run` → (the SD copies the records
/// itself) `Status … JobStatus=82`, catalog requests … → `3099 Job … end …`.
/// Copy/Migrate [WIRE]: the read job (type 99 'c' / 103 'g') reserves with append=0 and on `run` waits like a
/// restore for a client, which is the write job's SD; the write job (type 66) reserves with append=1, gets
/// `storage address=… Job=<read job> Authentication=<its key>`, connects, answers `2000 OK storage`, then `run`.
/// Short connections: `status` → text lines + EOD; `cancel Job=` → `3000 JobId=… marked to be canceled.` or
/// `3904 Job … not found.` + EOD [WIRE]; device commands → the I/O layer's lines + EOD.
///
/// Replies starting with a digit are catalog answers, matched in order to the requests sent with `send(_:)`; they
/// may arrive in any state that has requests outstanding (the SD asks FindMedia before answering `use device`).
public struct DirectorSessionMachine: Sendable {
    public enum Action: Equatable, Sendable {
        /// Send these frames.
        case send([Frame])
        /// Allocate VolSessionId/Time and a key, add the job to the job table; then call `jobRegistered(_:)`.
        case registerJob(JobStartCommand)
        /// Find a device (catalog requests allowed meanwhile); then `reservationSucceeded(device:)` or
        /// `reservationFailed(device:)`.
        case reserve(StorageJob, ReservationRequest)
        /// The bootstrap for a reading job (already acknowledged).
        case useBootstrap(StorageJob, Bootstrap)
        /// Start the job: mark it running and wait for its FD (then call `fileDaemonConnected()`).
        case runJob(StorageJob)
        /// Start a VirtualFull (no FD): read the bootstrap's records from the read reservation and write them as a
        /// new session on the write reservation; report `jobStatusChanged(.running)`, catalog requests, then
        /// `jobEnded(_:)`.
        case runVirtualFull(StorageJob)
        /// The Director's answer to `request`.
        case catalogReply(CatalogReply, for: CatalogRequest)
        /// Cancel (`stop: false`) or stop the named running job (the reply was already sent).
        case cancelJob(String, stop: Bool)
        /// Produce `status` / `.status` output; then call `commandFinished(lines:)`.
        case reportStatus(DirectorCommand)
        /// Carry out a device command (label, mount, …); then call `commandFinished(lines:)`.
        case performDeviceCommand(DirectorCommand)
        /// Copy/Migrate write job: connect to the peer SD as its read job's File daemon would; then call
        /// `storageConnected()` or `storageConnectionFailed()`.
        case connectToStorage(StorageJob, StoragePeerCommand)
        /// SD calls client: connect to the FD at this address (the reply was already sent).
        case callClient(address: String, port: Int32, ssl: Int32)
        /// Close the connection after sending; the error, if any, is for the log.
        case close(DirectorSessionError?)
    }

    enum State: Sendable {
        case idle
        case registering(JobStartCommand)
        case accepted(StorageJob)
        case collectingReservation(StorageJob, [StorageReservation], endOfStorage: Bool)
        case reserving(StorageJob)
        case reserved(StorageJob)
        case collectingBootstrap(StorageJob, lines: [String], reserved: Bool)
        case running(StorageJob)
        case performingCommand
        case connectingToStorage(StorageJob)
        case closed

        var name: String {
            switch self {
            case .idle: return "waiting for a command"
            case .registering: return "registering a job"
            case .accepted: return "job accepted, waiting for use storage"
            case .collectingReservation: return "reading use storage/use device lines"
            case .reserving: return "reserving a device"
            case .reserved: return "device reserved, waiting for bootstrap or run"
            case .collectingBootstrap: return "reading bootstrap lines"
            case .running: return "running the job"
            case .performingCommand: return "carrying out a command"
            case .connectingToStorage: return "connecting to the peer Storage daemon"
            case .closed: return "closed"
            }
        }

        var job: StorageJob? {
            switch self {
            case .accepted(let job), .collectingReservation(let job, _, _), .reserving(let job), .reserved(let job),
                .collectingBootstrap(let job, _, _), .running(let job), .connectingToStorage(let job):
                return job
            case .idle, .registering, .performingCommand, .closed: return nil
            }
        }
    }

    private var state: State = .idle
    /// Reservations granted to this connection's job (a VirtualFull has two: read, then write).
    private var reservationsGranted = 0
    private var pendingRequests: [CatalogRequest] = []
    /// Bootstrap text is bounded: a Director's bsr for one job is small; this stops a runaway peer.
    public static let maximumBootstrapLines = 100_000

    public init() {}

    public var stateName: String { state.name }
    /// The job this connection set up, if any.
    public var job: StorageJob? { state.job }
    /// True while the machine waits for the I/O layer to complete what it asked (register, reserve, a command's
    /// output): the Director sends nothing meanwhile except catalog answers and heartbeats.
    public var awaitsCompletion: Bool {
        switch state {
        case .registering, .reserving, .performingCommand, .connectingToStorage: return true
        default: return false
        }
    }
    /// The Director's `run` (or a VirtualFull's) has been received and the job is running.
    public var isRunning: Bool {
        if case .running = state { return true }
        return false
    }
    /// Catalog requests sent and not yet answered, oldest first.
    public var outstandingRequests: [CatalogRequest] { pendingRequests }

    // MARK: - Events from the Director

    /// A frame from the Director. `jobs` is the SD's job table now (for `cancel`).
    public mutating func received(_ frame: Frame, jobs: StorageJobTable) -> [Action] {
        if case .closed = state { return [] }
        switch frame {
        case .signal(let signal):
            return receivedSignal(signal)
        case .payload(let bytes):
            if case .collectingBootstrap(let job, var lines, let reserved) = state {
                guard lines.count < Self.maximumBootstrapLines else {
                    return fail(
                        .badBootstrap(detail: "more than \(lines.count) lines", job: job.name),
                        reply: .bootstrapRejected)
                }
                // The state gives up its reference first, so that the append does not copy every line before it.
                state = .closed
                lines.append(Line.text(bytes))
                state = .collectingBootstrap(job, lines: lines, reserved: reserved)
                return []
            }
            if let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
                return receivedCatalogReply(bytes)
            }
            let command: DirectorCommand
            do {
                command = try DirectorCommand(parsing: bytes)
            } catch {
                if Line.starts(bytes, with: "JobId=") {
                    return fail(
                        .badJobCommand(error),
                        reply: .badJobCommand(status: -1, command: Line.text(Line.rest(bytes, after: ""))))
                }
                return fail(
                    .invalidCommand(error), reply: .invalidCommand(command: Line.text(Line.rest(bytes, after: ""))))
            }
            return handle(command, jobs: jobs)
        }
    }

    /// The connection closed.
    public mutating func connectionClosed() -> [Action] {
        let previous = state
        state = .closed
        switch previous {
        case .closed: return []
        case .idle, .performingCommand: return [.close(nil)]
        default: return [.close(.connectionLost(job: previous.job?.name ?? "?", state: previous.name))]
        }
    }

    private mutating func receivedSignal(_ signal: Signal) -> [Action] {
        if signal == .terminate {
            let previous = state
            state = .closed
            if let job = previous.job { return [.close(.connectionLost(job: job.name, state: previous.name))] }
            return [.close(nil)]
        }
        guard signal == .endOfData else { return [] }  // heartbeats and polls need no answer from an SD
        switch state {
        case .collectingReservation(let job, let storages, let endOfStorage):
            if endOfStorage {
                state = .reserving(job)
                return [.reserve(job, ReservationRequest(storages: storages))]
            }
            state = .collectingReservation(job, storages, endOfStorage: true)
            return []
        case .collectingBootstrap(let job, let lines, let reserved):
            state = reserved ? .reserved(job) : .accepted(job)
            let bootstrap: Bootstrap
            do {
                bootstrap = try Bootstrap(parsing: lines.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined())
            } catch {
                return fail(.badBootstrap(detail: "\(error)", job: job.name), reply: .bootstrapRejected)
            }
            return [.send([StorageReply.bootstrapAccepted.frame]), .useBootstrap(job, bootstrap)]
        default:
            return []
        }
    }

    private mutating func receivedCatalogReply(_ bytes: [UInt8]) -> [Action] {
        let reply: CatalogReply
        do {
            reply = try CatalogReply(parsing: bytes)
        } catch {
            return fail(.unexpectedCatalogReply(error, job: state.job?.name))
        }
        guard !pendingRequests.isEmpty else {
            return fail(.unexpectedCatalogReply(nil, job: state.job?.name))
        }
        return [.catalogReply(reply, for: pendingRequests.removeFirst())]
    }

    private mutating func handle(_ command: DirectorCommand, jobs: StorageJobTable) -> [Action] {
        switch (command, state) {
        case (.jobStart(let start), .idle):
            state = .registering(start)
            return [.registerJob(start)]
        case (.useStorage(let use), .accepted(let job)):
            state = .collectingReservation(job, [StorageReservation(storage: use, devices: [])], endOfStorage: false)
            return []
        case (.useStorage(let use), .collectingReservation(let job, var storages, true)):
            storages.append(StorageReservation(storage: use, devices: []))
            state = .collectingReservation(job, storages, endOfStorage: false)
            return []
        case (.useStorage(let use), .reserved(let job)) where job.command.isVirtualFull && reservationsGranted == 1:
            // [WIRE] a VirtualFull reserves its read device, then its write device, on the same connection.
            state = .collectingReservation(job, [StorageReservation(storage: use, devices: [])], endOfStorage: false)
            return []
        case (.useDevice(let device), .collectingReservation(let job, var storages, false)):
            storages[storages.count - 1].devices.append(device)
            state = .collectingReservation(job, storages, endOfStorage: false)
            return []
        case (.bootstrap, .accepted(let job)):
            state = .collectingBootstrap(job, lines: [], reserved: false)
            return []
        case (.bootstrap, .reserved(let job)):
            state = .collectingBootstrap(job, lines: [], reserved: true)
            return []
        case (.run, .reserved(var job)) where job.command.isVirtualFull:
            // [WIRE] no FD comes: the real SD says nothing before it starts reading (then Status 82).
            guard reservationsGranted == 2 else {
                return fail(
                    .outOfOrder(command: "run", state: "VirtualFull with \(reservationsGranted) of 2 reservations",
                        job: job.name),
                    reply: .invalidCommand(command: "run"))
            }
            job.phase = .fileDaemonAttached
            state = .running(job)
            return [.runVirtualFull(job)]
        case (.run, .reserved(var job)):
            job.phase = .running
            state = .running(job)
            return [
                .send([StorageReply.jobStatus(jobID: job.jobID, status: .waitingForClient).frame]), .runJob(job),
            ]
        case (.storage(let peer), .reserved(let job)) where job.command.type == .backup && !job.command.isVirtualFull:
            state = .connectingToStorage(job)
            return [.connectToStorage(job, peer)]
        case (.client(let address, let port, let ssl), .reserved), (.client(let address, let port, let ssl), .accepted):
            return [
                .send([StorageReply.clientCommandAccepted.frame]), .callClient(address: address, port: port, ssl: ssl),
            ]
        case (.cancel(let name), .idle), (.stop(let name), .idle):
            let stop = command.verb == "stop"
            guard let job = jobs[name], job.phase != .ended else {
                return [.send([StorageReply.jobNotFound(job: name).frame, .signal(.endOfData)])]
            }
            let reply = StorageReply.jobMarked(jobID: job.jobID, job: job.name, state: stop ? "stopped" : "canceled")
            return [.send([reply.frame, .signal(.endOfData)]), .cancelJob(job.name, stop: stop)]
        case (.status, .idle), (.dotStatus, .idle):
            state = .performingCommand
            return [.reportStatus(command)]
        case (.label, .idle), (.relabel, .idle), (.mount, .idle), (.unmount, .idle), (.release, .idle),
            (.readLabel, .idle), (.autochanger, .idle), (.other, .idle):
            state = .performingCommand
            return [.performDeviceCommand(command)]
        default:
            return fail(
                .outOfOrder(command: command.verb, state: state.name, job: state.job?.name ?? registeringName),
                reply: .invalidCommand(command: Line.text(Line.rest(command.bytes, after: ""))))
        }
    }

    private var registeringName: String? {
        if case .registering(let command) = state { return command.job }
        return nil
    }

    // MARK: - Completions and requests from the I/O layer

    /// The job is in the SD's table: answer `3000 OK Job SDid=%u SDtime=%u Authorization=%s`.
    public mutating func jobRegistered(_ job: StorageJob) -> [Action] {
        guard case .registering = state else { return fail(.misuse(call: "jobRegistered", state: state.name)) }
        state = .accepted(job)
        let reply = StorageReply.jobAccepted(
            sessionID: job.sessionID, sessionTime: job.sessionTime, authorization: job.authorization)
        return [.send([reply.frame])]
    }

    /// A device was reserved: `3000 OK use device device=%s`.
    public mutating func reservationSucceeded(device: String) -> [Action] {
        guard case .reserving(let job) = state else {
            return fail(.misuse(call: "reservationSucceeded", state: state.name))
        }
        state = .reserved(job)
        reservationsGranted += 1
        return [.send([StorageReply.deviceReserved(device: device).frame])]
    }

    /// The peer SD of a Copy/Migrate accepted this job as its read job's client: `2000 OK storage`.
    public mutating func storageConnected() -> [Action] {
        guard case .connectingToStorage(let job) = state else {
            return fail(.misuse(call: "storageConnected", state: state.name))
        }
        state = .reserved(job)
        return [.send([StorageReply.storageConnected.frame])]
    }

    /// The peer SD could not be reached or refused the key: `2902 Bad storage`; the Director fails the job.
    public mutating func storageConnectionFailed() -> [Action] {
        guard case .connectingToStorage(let job) = state else {
            return fail(.misuse(call: "storageConnectionFailed", state: state.name))
        }
        state = .reserved(job)
        return [.send([StorageReply.storageFailed.frame])]
    }

    /// No device fits: `3924 Device "%s" not in SD Device resources …`; the Director gives up the job.
    public mutating func reservationFailed(device: String) -> [Action] {
        guard case .reserving(let job) = state else {
            return fail(.misuse(call: "reservationFailed", state: state.name))
        }
        state = .accepted(job)
        return [.send([StorageReply.deviceUnavailable(device: device).frame])]
    }

    /// Ask the catalog. Allowed from reservation to job end; the answer comes back as `.catalogReply`.
    public mutating func send(_ request: CatalogRequest) -> [Action] {
        switch state {
        case .reserving, .reserved, .running, .collectingBootstrap, .connectingToStorage: break
        default: return fail(.misuse(call: "send(catalog request)", state: state.name))
        }
        if request.expectsReply { pendingRequests.append(request) }
        return [.send(request.frames)]
    }

    /// A job message for the Director.
    public mutating func send(_ message: JobMessage) -> [Action] {
        guard state.job != nil else { return fail(.misuse(call: "send(job message)", state: state.name)) }
        return [.send([.payload(message.bytes)])]
    }

    /// `Status JobId=%ld JobStatus=%d`.
    public mutating func jobStatusChanged(_ status: JobStatus) -> [Action] {
        guard let job = state.job else { return fail(.misuse(call: "jobStatusChanged", state: state.name)) }
        return [.send([StorageReply.jobStatus(jobID: job.jobID, status: status).frame])]
    }

    /// The job's FD authenticated: `3010 Job %s start` and `Status … JobStatus=82`.
    public mutating func fileDaemonConnected() -> [Action] {
        guard case .running(var job) = state else {
            return fail(.misuse(call: "fileDaemonConnected", state: state.name))
        }
        job.phase = .fileDaemonAttached
        state = .running(job)
        return [
            .send([
                StorageReply.jobStarted(job: job.name).frame,
                StorageReply.jobStatus(jobID: job.jobID, status: .running).frame,
            ])
        ]
    }

    /// The job is over: `3099 Job … end …`, EOD, TERMINATE [WIRE], and the connection closes.
    public mutating func jobEnded(_ report: JobEndReport) -> [Action] {
        guard case .running = state else { return fail(.misuse(call: "jobEnded", state: state.name)) }
        state = .closed
        return [
            .send([StorageReply.jobEnded(report).frame, .signal(.endOfData), .signal(.terminate)]), .close(nil),
        ]
    }

    /// The output of `status` or a device command: the lines as given, then EOD.
    public mutating func commandFinished(lines: [[UInt8]]) -> [Action] {
        guard case .performingCommand = state else { return fail(.misuse(call: "commandFinished", state: state.name)) }
        state = .idle
        return [.send(lines.map { .payload($0) } + [.signal(.endOfData)])]
    }

    private mutating func fail(_ error: DirectorSessionError, reply: StorageReply? = nil) -> [Action] {
        state = .closed
        return (reply.map { [.send([$0.frame])] } ?? []) + [.close(error)]
    }
}
