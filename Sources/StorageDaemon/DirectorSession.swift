import BaculaVolume
import BaculaWire
import Foundation
import Logging
import Net
import StorageProtocol

/// One Director connection on the Storage daemon: owns the connection and the `DirectorSessionMachine`, reads the
/// Director's frames and carries out the machine's actions. Other parts of the daemon (the job's File-daemon
/// session, the volume manager) reach the Director through it: catalog requests that wait for their answer, job
/// messages, job-life reports. Being an actor, its reader suspends while those calls write; answers to catalog
/// requests are matched to the waiting callers in order (spec §3.3.5).
actor DirectorSession {
    let connection: BsockConnection
    let daemon: StorageDaemon
    var logger: Logger
    private var machine = DirectorSessionMachine()
    /// Catalog requests awaiting an answer, in the order they were sent (the Director answers in order).
    private var replyOrder: [Int] = []
    private var waiters: [Int: CheckedContinuation<CatalogReply, any Error>] = [:]
    /// Answers that arrived before their caller started waiting.
    private var earlyReplies: [Int: Result<CatalogReply, any Error>] = [:]
    /// Once the job was canceled: how long a catalog request may wait for its answer (a Director that canceled a
    /// job may stop answering its requests; bacula-dir does, until it drops the connection a minute later).
    private var replyBound: Duration?
    /// Requests given up by that bound; their late answers are dropped.
    private var expired: Set<Int> = []
    private var nextRequestID = 0
    private var closed = false
    /// The job this connection registered (the machine forgets it once closed).
    private var registeredJob: StorageJob?
    /// Copy/Migrate write job: told `true` on `run` (start appending from the peer link), `false` when the job ends
    /// first.
    private var peerRun: AsyncStream<Bool>.Continuation?

    init(connection: BsockConnection, daemon: StorageDaemon, logger: Logger) {
        self.connection = connection
        self.daemon = daemon
        self.logger = logger
    }

    /// Reads and handles frames until the Director or the machine ends the conversation.
    func run() async {
        do {
            while !closed, let frame = try await connection.readIncludingHeartbeats() {
                let actions = machine.received(frame, jobs: daemon.jobs.table())
                await perform(actions)
            }
            if !closed { await perform(machine.connectionClosed()) }
        } catch {
            logger.warning("Director connection failed: \(error)")
            await perform(machine.connectionClosed())
        }
        failWaiters(StorageDaemonError.directorGone(job: machine.job?.name))
        if let job = registeredJob {
            // A job whose File daemon never came (or was canceled before) ends with its Director.
            let attached = daemon.jobs.entry(job.name)?.job.phase == .fileDaemonAttached
            daemon.jobs.directorGone(job.name)
            if !attached {
                daemon.jobs.finish(job.name)
                await daemon.volumes.release(job: job.name)
            }
        }
    }

    // MARK: Calls from the job's other parts

    /// Sends a catalog request and waits for the Director's answer (UpdCat has none: returns at once with `.failure([])`).
    func request(_ request: CatalogRequest) async throws -> CatalogReply {
        guard !closed else { throw StorageDaemonError.directorGone(job: machine.job?.name) }
        let actions = machine.send(request)
        guard request.expectsReply else {
            await perform(actions)
            return .failure([])
        }
        // The place in the answer order is taken before the first suspension, so answers match callers.
        let id = nextRequestID
        nextRequestID += 1
        replyOrder.append(id)
        await perform(actions)
        return try await withCheckedThrowingContinuation { continuation in
            if let early = earlyReplies.removeValue(forKey: id) {
                continuation.resume(with: early)
            } else if closed {
                continuation.resume(throwing: StorageDaemonError.directorGone(job: machine.job?.name))
            } else {
                waiters[id] = continuation
                if let replyBound { expire(id, after: replyBound) }
            }
        }
    }

    /// The job was canceled: from now on each catalog request waits at most `limit` for its answer, then fails
    /// (the job's end then goes on without that catalog update, with a warning).
    func boundCatalogReplies(to limit: Duration) {
        guard replyBound == nil else { return }
        replyBound = limit
        for id in waiters.keys { expire(id, after: limit) }
    }

    private func expire(_ id: Int, after limit: Duration) {
        Task {
            try? await Task.sleep(for: limit)
            self.giveUp(id, seconds: Int(limit.components.seconds))
        }
    }

    private func giveUp(_ id: Int, seconds: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        expired.insert(id)
        logger.warning("no answer from the Director to a catalog request of the canceled job within \(seconds) s")
        waiter.resume(throwing: StorageDaemonError.noCatalogAnswer(job: machine.job?.name, seconds: seconds))
    }

    /// Sends catalog requests that have no answer (UpdCat attributes), in order.
    /// Their frames go in one write (one flush), not one per request.
    func sendWithoutReply(_ requests: [CatalogRequest]) async {
        var frames: [Frame] = []
        for request in requests where !closed {
            for action in machine.send(request) {
                if case .send(let more) = action {
                    frames += more
                } else {
                    await write(&frames)
                    await perform([action])
                }
            }
        }
        await write(&frames)
    }

    /// Writes and empties `frames`; a failed write closes the connection, as in `perform`.
    private func write(_ frames: inout [Frame]) async {
        guard !frames.isEmpty else { return }
        defer { frames = [] }
        guard !closed else { return }
        do {
            try await connection.write(contentsOf: frames)
        } catch {
            logger.warning("Director connection: \(error)")
            await close()
        }
    }

    /// A job message (`Jmsg`) for the Director's log and the job report.
    func message(_ type: MessageType, _ text: String) async {
        guard let job = machine.job, !closed else { return }
        let message = JobMessage(
            jobID: job.jobID, type: type, time: Int64(Date().timeIntervalSince1970), daemon: daemon.configuration.storage.name,
            message: text)
        await perform(machine.send(message))
    }

    /// `Status JobId=%d JobStatus=%d`.
    func status(_ status: JobStatus) async {
        guard !closed else { return }
        await perform(machine.jobStatusChanged(status))
    }

    /// The job's File daemon authenticated.
    func fileDaemonConnected() async {
        guard !closed else { return }
        // The Director sends a Copy/Migrate read job's `run` and the write job's `storage` command on two
        // connections at about the same time: the peer (at once when it is this daemon, linked in memory) may
        // authenticate before this connection has read `run`. Its start (`3010 Job … start`) is then reported after
        // the `run`, as in the usual order.
        guard machine.isRunning else {
            attachedBeforeRun = true
            return
        }
        await perform(machine.fileDaemonConnected())
    }

    /// The client authenticated before the Director's `run` was read (see `fileDaemonConnected`).
    private var attachedBeforeRun = false

    /// The job is over: `3099 Job ... end`, and the connection closes.
    func jobEnded(_ report: JobEndReport) async {
        guard !closed else { return }
        await perform(machine.jobEnded(report))
    }

    // MARK: Actions

    private func perform(_ actions: [DirectorSessionMachine.Action]) async {
        for action in actions {
            do {
                try await perform(action)
            } catch {
                logger.warning("Director connection: \(error)")
                await close()
                return
            }
        }
    }

    private func perform(_ action: DirectorSessionMachine.Action) async throws {
        logger.trace("action \(action)")
        switch action {
        case .send(let frames):
            guard !closed else { return }
            for frame in frames { try await connection.write(frame) }
        case .registerJob(let start):
            let job = daemon.jobs.register(start, director: self)
            registeredJob = job
            logger[metadataKey: "job"] = "\(job.name)"
            logger.info("job registered", metadata: ["jobid": "\(job.jobID)", "session": "\(job.sessionID)"])
            await perform(machine.jobRegistered(job))
        case .reserve(let job, let request):
            Task { await self.reserve(job, request) }
        case .useBootstrap(let job, let bootstrap):
            daemon.jobs.setBootstrap(bootstrap, for: job.name)
        case .runJob(let job):
            if !attachedBeforeRun { daemon.jobs.setPhase(.running, of: job.name) }  // else it stays attached
            if let peerRun {
                logger.info("job running; appending what the peer Storage daemon sends")
                peerRun.yield(true)
            } else if attachedBeforeRun {
                attachedBeforeRun = false
                logger.info("job running; its client is already connected")
                await perform(machine.fileDaemonConnected())
            } else {
                logger.info("job running; waiting for its File daemon")
            }
        case .connectToStorage(let job, let peer):
            let (stream, continuation) = AsyncStream<Bool>.makeStream()
            peerRun = continuation
            let daemon = daemon
            let logger = logger
            Task { await StoragePeerLink.run(job: job, peer: peer, daemon: daemon, director: self, start: stream, logger: logger) }
        case .runVirtualFull(let job):
            daemon.jobs.setPhase(.fileDaemonAttached, of: job.name)
            logger.info("VirtualFull running: copying the bootstrap's records from the read device to the write device")
            let copier = VirtualFullJob(job: job, daemon: daemon, director: self, logger: logger)
            Task { await copier.run() }
        case .catalogReply(let reply, _):
            guard !replyOrder.isEmpty else { return }
            let id = replyOrder.removeFirst()
            if expired.remove(id) != nil { return }
            if let waiter = waiters.removeValue(forKey: id) {
                waiter.resume(returning: reply)
            } else {
                earlyReplies[id] = .success(reply)
            }
        case .cancelJob(let name, _):
            logger.info("cancel requested", metadata: ["job": "\(name)"])
            daemon.jobs.cancel(name)
        case .reportStatus:
            let lines = await daemon.statusReport().lines.enumerated().map { index, line in
                index == 0 ? Array(line.utf8) : Array(line.utf8) + [0]
            }
            await perform(machine.commandFinished(lines: lines))
        case .performDeviceCommand(let command):
            let lines = await daemon.volumes.deviceCommand(command, session: self)
            await perform(machine.commandFinished(lines: lines))
        case .callClient(let address, let port, _):
            logger.warning("the Director asked the SD to call the client at \(address):\(port); not supported")
        case .close(let error):
            if let error { logger.warning("Director session ended: \(error)") }
            await close()
        }
    }

    /// The peer SD accepted the write job's connection (or not).
    func storagePeerConnected(_ connected: Bool) async {
        guard !closed else { return }
        await perform(connected ? machine.storageConnected() : machine.storageConnectionFailed())
    }

    private func reserve(_ job: StorageJob, _ request: ReservationRequest) async {
        let outcome = await daemon.volumes.reserve(job: job, request: request, session: self)
        switch outcome {
        case .reserved(let device):
            logger.info("device reserved", metadata: ["device": "\(device)"])
            await perform(machine.reservationSucceeded(device: device))
        case .unavailable(let device, let reason):
            logger.warning("no device for the job: \(reason)")
            await message(.fatal, reason)
            await perform(machine.reservationFailed(device: device))
        }
    }

    private func close() async {
        guard !closed else { return }
        closed = true
        peerRun?.yield(false)
        peerRun?.finish()
        await connection.close()
        failWaiters(StorageDaemonError.directorGone(job: machine.job?.name))
    }

    private func failWaiters(_ error: any Error) {
        for id in replyOrder where waiters[id] == nil { earlyReplies[id] = .failure(error) }
        replyOrder = []
        let pending = waiters
        waiters = [:]
        for waiter in pending.values { waiter.resume(throwing: error) }
    }
}
