import BaculaVolume
import BaculaWire
import Foundation
import Logging
import Net
import StorageProtocol
import TapeDevices

/// One File-daemon data connection (spec §3.4): authenticates the FD with its job's key, stores an append
/// session's records on the job's volume (attributes go to the Director's catalog as they pass), or serves a read
/// session the records its bootstrap selects; then ends the job on the Director's connection. Used by one task.
final class FileDaemonSession {
    let connection: any SessionConnection
    let daemon: StorageDaemon
    var logger: Logger
    private var machine = FileDaemonSessionMachine()
    private var closed = false
    private var job: StorageJob?
    private var director: DirectorSession?
    private var append: VolumeManager.DeviceAppend?
    private var appendedFiles: UInt32 = 0
    private var appendedBytes: UInt64 = 0
    private var appendCommitted = false
    private var storeFailure: String?
    private var finalStatus: JobStatus?
    private var readFiles: Set<Int32> = []
    private var readBytes: UInt64 = 0
    private var readDevice: String?
    /// Source volumes of a Copy or Migrate read so far, with their catalog records and read times (µs).
    private var pendingReadReports: [(VolumeInfo, Int64)] = []
    private var authenticated = false
    /// While an append session's record stream is diverted: where its frames come from, a batch at a time.
    private var records: (any FrameBatchSource)?
    /// While an append session's record stream is read straight from the socket: the reader, and the thread the
    /// session's task runs on meanwhile (the reader waits for the socket there, `DirectReadThread`).
    private var directRecords: DirectStreamReader?
    private var directThread: DirectReadThread?
    /// Where a data packet that does not fit in the block being filled is received before it is appended.
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    /// Data packets at least this long are received straight into the block (shorter ones as frames: the machine
    /// parses headers and small records anyway).
    static let inPlaceMinimum = 512
    /// The machine's actions for one frame of a record stream (one array, reused).
    private var frameActions: [FileDaemonSessionMachine.Action] = []
    /// What `store` needs per record, taken from the job once (no copy of the job per record).
    private var spooler: JobSpooler?
    private var jobName = ""
    private var forwardsAttributes = false
    private var appendJobID: UInt32 = 0
    /// Attribute records stored and not yet sent to the Director's catalog (sent when due, before any other action
    /// and at the end of the stream).
    private var pendingAttributes = AttributeBatch()
    /// When the job's file and byte counts were last published to the registry (status storage).
    private var countsPublished = ContinuousClock.now
    private var countsUnpublished = false
    /// How often the counts of a running append reach the registry.
    static let countsPeriod: Duration = .milliseconds(100)

    init(connection: any SessionConnection, daemon: StorageDaemon, logger: Logger) {
        self.connection = connection
        self.daemon = daemon
        self.logger = logger
    }

    deinit { scratch.deallocate() }

    /// Runs the connection from its hello to the end of the job.
    func run(hello: [UInt8]) async {
        let challenge = daemon.options.makeChallenge(daemon.configuration.storage.name)
        let tls = (try? daemon.tlsSetup.get())?.fileDaemons ?? .none
        await perform(machine.receivedHello(hello, jobs: daemon.jobs.table(), challenge: challenge, tls: tls.need))
        await serve(peer: "File daemon")
    }

    /// Feeds the machine the peer's frames until the connection or the session ends, then ends the job. Commands come
    /// a frame at a time; a record stream, once diverted (`prepareAppend`), a batch (a socket read) at a time.
    private func serve(peer: String) async {
        do {
            while !closed {
                if let reader = directRecords {
                    // on a throw, the thread is finished below, with the reader
                    try await withTaskExecutorPreference(directThread) { try await serveDirect(reader) }
                    await finishDirectThread()
                } else if let source = records {
                    guard let batch = try await source.next() else {
                        records = nil
                        continue
                    }
                    await perform(records: batch)
                } else {
                    guard let frame = try await connection.readIncludingHeartbeats() else { break }
                    await perform(machine.received(frame))
                }
            }
        } catch {
            logger.warning("\(peer) connection failed: \(error)")
        }
        if let reader = directRecords {
            directRecords = nil
            await reader.finish()
        }
        await finishDirectThread()
        await flushAttributes()
        if !closed { await perform(machine.connectionClosed()) }
        await endJob()
    }

    /// Ends the direct reader's thread (once the session's task no longer runs on it).
    private func finishDirectThread() async {
        guard let thread = directThread else { return }
        directThread = nil
        await thread.finish()
    }

    /// Runs the write side of a Copy/Migrate on an authenticated connection to the peer SD (which serves the read
    /// job): the job is attached as if its FD had come, then the peer's records are appended like a backup's.
    func runPeerWriter(job: StorageJob) async {
        machine = FileDaemonSessionMachine(peerWriterFor: job)
        await perform([.attach(job)])
        await serve(peer: "peer Storage daemon")
    }

    // MARK: Actions

    private func perform(_ actions: [FileDaemonSessionMachine.Action]) async {
        for action in actions where !closed { await performOne(action) }
    }

    private func performOne(_ action: FileDaemonSessionMachine.Action) async {
        do {
            try await perform(action)
        } catch {
            logger.warning("File daemon connection: \(error)")
            await close()
        }
    }

    /// One batch of a diverted record stream: each frame through the machine, records stored as they come; the
    /// attributes stored meanwhile go to the catalog before any other action and at the end of the batch.
    private func perform(records frames: [Frame]) async {
        for frame in frames where !closed { await perform(recordFrame: frame) }
        if pendingAttributes.isDue(at: .now) { await flushAttributes() }
        publishCounts()
    }

    /// One frame of a record stream through the machine.
    private func perform(recordFrame frame: Frame) async {
        frameActions.removeAll(keepingCapacity: true)
        machine.received(frame, into: &frameActions)
        for action in frameActions where !closed {
            if case .store(let record) = action {
                await store(record)
            } else {
                await flushAttributes()
                await performOne(action)
            }
        }
    }

    /// The record stream straight from the socket, until its end frame (then the reader gives the socket back and the
    /// frames after it are read as before) or until the connection closed (the reader is finished too, and reading
    /// the connection then returns nil); another error is thrown with the reader left for `serve` to finish. A data
    /// packet that fits in the block being filled is received into it (`JobSpooler.appendInPlace`); every other
    /// packet goes through the machine as a frame, as from a diversion.
    private func serveDirect(_ reader: DirectStreamReader) async throws {
        var boundary = RecordStreamBoundary()
        do {
            while !closed {
                guard let header = try await reader.nextHeader() else { break }
                if case .payload(let length, let flags) = header, flags.isEmpty, length >= Self.inPlaceMinimum,
                    storeFailure == nil, let spooler, let stream = machine.recordDataStream,
                    !(forwardsAttributes && Self.isCatalogued(stream.stream))
                {
                    _ = boundary.isEnd(.payload([]))
                    try await storeInPlace(length, of: stream, reader: reader, spooler: spooler)
                } else {
                    let frame = try await reader.frame(after: header)
                    let end = boundary.isEnd(frame)
                    await perform(recordFrame: frame)
                    if end {
                        directRecords = nil
                        await reader.finish()
                        break
                    }
                }
                if pendingAttributes.isDue(at: .now) { await flushAttributes() }
                publishCounts()
            }
        } catch FrameDiversionError.connectionClosed {}
        if directRecords != nil {
            // Closed: `serve` reads the end from the connection once the reader gave it back.
            directRecords = nil
            await reader.finish()
        }
    }

    /// Stores one data packet of `length` bytes of the open `stream`, received straight into the block being filled,
    /// or through `scratch` when it does not fit there; after a store failure the packet is received and dropped,
    /// as `store` drops records then. Throws only what receiving throws (the connection's end or failure).
    private func storeInPlace(
        _ length: Int, of stream: RecordHeader, reader: DirectStreamReader, spooler: JobSpooler
    ) async throws {
        let header = machine.receivedRecordData(count: length) ?? stream
        var received = false
        do {
            let stored = try await spooler.appendInPlace(fileIndex: header.fileIndex, stream: header.stream, count: length) {
                space in
                do {
                    try await reader.read(into: space)
                } catch {
                    throw ReceiveFailure(error: error)
                }
                received = true
            }
            if !stored {
                let data = try await receive(length, into: reader)
                received = true
                try await spooler.append(fileIndex: header.fileIndex, stream: header.stream, data: data)
            }
        } catch let failure as ReceiveFailure {
            throw failure.error
        } catch {
            if !received { _ = try await receive(length, into: reader) }
            storeFailed(error)
            return
        }
        counted(fileIndex: header.fileIndex, bytes: length)
    }

    /// The job's counts after a stored record (published by `publishCounts`).
    private func counted(fileIndex: Int32, bytes: Int) {
        if fileIndex > 0 { appendedFiles = max(appendedFiles, UInt32(fileIndex)) }
        appendedBytes &+= UInt64(bytes)
        countsUnpublished = true
    }

    /// A record could not be stored: the job fails with this, and later records are dropped.
    private func storeFailed(_ error: any Error) {
        storeFailure = "writing to device \(append?.device.name ?? ""): \(error)"
        logger.error("\(storeFailure ?? "")")
    }

    /// Receives `length` bytes of the stream into `scratch` (grown as needed); the bytes stay valid until the next
    /// call. Errors are the reader's, wrapped in `ReceiveFailure`.
    private func receive(_ length: Int, into reader: DirectStreamReader) async throws -> UnsafeRawBufferPointer {
        if scratch.count < length {
            scratch.deallocate()
            scratch = .allocate(byteCount: max(length, 64 << 10), alignment: 16)
        }
        let space = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<length])
        do {
            try await reader.read(into: space)
        } catch {
            throw ReceiveFailure(error: error)
        }
        return UnsafeRawBufferPointer(space)
    }

    /// An error of receiving a record's bytes (the connection's), told apart from an error of storing them.
    private struct ReceiveFailure: Error {
        var error: any Error
    }

    private func perform(_ action: FileDaemonSessionMachine.Action) async throws {
        switch action {
        case .store: break
        case .send(let frames):  // record data is summarised, never dumped
            logger.trace("send \(frames.count) frame(s), \(frames.reduce(0) { $0 + ($1.payload?.count ?? 0) }) bytes")
        default: logger.trace("action \(action)")
        }
        switch action {
        case .send(let frames):
            for frame in frames { try await connection.write(frame) }
        case .attach(let attached):
            authenticated = true
            job = attached
            logger[metadataKey: "job"] = "\(attached.name)"
            daemon.jobs.setPhase(.fileDaemonAttached, of: attached.name)
            let closer = connection.closer
            daemon.jobs.update(attached.name) { $0.onCancel = closer }
            jobName = attached.name
            director = daemon.jobs.entry(attached.name)?.director
            logger.info("File daemon attached", metadata: ["jobid": "\(attached.jobID)"])
            await director?.fileDaemonConnected()
        case .prepareAppend(let job):
            await prepareAppend(job)
        case .store(let record):
            await store(record)
        case .commitAppend:
            await commitAppend()
        case .prepareRead(let job):
            await serveRead(job)
        case .sessionClosed(_, let status):
            finalStatus = status
        case .holdInputAfterNextFrame:
            try await connection.holdInputAfterNextFrame()
        case .startTLS:
            do {
                try await connection.switchToTLS((try? daemon.tlsSetup.get())?.fileDaemons ?? .none, host: nil)
            } catch {
                closed = true  // switchToTLS logged, waited and closed
                throw error
            }
        case .close(let error):
            if let error {
                if !authenticated {
                    // Bacula's anti brute force delay; the log names the peer and the job it claimed.
                    logger.warning("File daemon refused: \(error)", metadata: ["peer": "\(connection.peer)"])
                    try? await daemon.options.clock.sleep(for: daemon.options.authenticationFailureDelay)
                } else {
                    logger.warning("File daemon session ended: \(error)")
                    // The job fails with the protocol error (a garbled record stream, a command out of order ...),
                    // which the Director hears as the job's fatal message.
                    // (Not when the Director canceled the job: closing the FD's connection is the cancel's doing.)
                    if storeFailure == nil, let job, job.appends, daemon.jobs.entry(job.name)?.canceled != true {
                        storeFailure = "\(error)"
                        await director?.message(.fatal, "\(error)")
                    }
                }
            }
            await close()
        }
    }

    private func close() async {
        guard !closed else { return }
        closed = true
        await connection.close()
    }

    // MARK: Append

    /// The SOS label of a job that appends (a backup, or the new session of a VirtualFull).
    static func sessionLabel(for job: StorageJob, pool: UseStorageCommand?) -> SessionLabel {
        var label = SessionLabel(
            jobID: job.jobID, writeTime: Int64(Date().timeIntervalSince1970 * 1_000_000),
            poolName: pool?.poolName ?? "", jobName: job.command.jobName,
            clientName: job.command.clientName, job: job.name, fileSetName: job.command.fileSet,
            jobType: Character(UnicodeScalar(UInt8(truncatingIfNeeded: job.command.type.rawValue))),
            jobLevel: Character(UnicodeScalar(UInt8(truncatingIfNeeded: job.command.level.rawValue))))
        label.poolType = pool?.poolType ?? "Backup"
        label.fileSetMD5 = job.command.fileSetMD5
        return label
    }

    private func prepareAppend(_ job: StorageJob) async {
        guard let director else {
            await perform(machine.appendUnavailable(reason: "the job's Director is gone"))
            return
        }
        do {
            let reservation = await daemon.volumes.reservation(for: job.name)
            let label = Self.sessionLabel(for: job, pool: reservation?.use)
            let append = try await daemon.volumes.openAppend(job: job, label: label, session: director)
            self.append = append
            spooler = append.spooler
            forwardsAttributes = !job.command.noAttributes
            appendJobID = job.jobID
            daemon.jobs.update(job.name) {
                $0.device = append.device.name
                $0.volume = append.volume.volumeName
            }
            // The FD sends its records once it reads `3000 OK data`: the direct reader (or, where the socket cannot
            // be read directly, the diversion) is in place before that is sent.
            let thread = DirectReadThread(name: "FD records")
            if let reader = await connection.readRecordStreamDirectly(thread: thread) {
                directRecords = reader
                directThread = thread
            } else {
                await thread.finish()
                records = connection.divertRecordStream()
            }
            logger.info(
                "appending", metadata: ["volume": "\(append.volume.volumeName)", "device": "\(append.device.name)",
                    "spooling": "\(job.command.spoolData)", "records": "\(directRecords != nil ? "socket" : "frames")"])
            if job.command.spoolData {
                // Bacula's wording; despooling overlaps spooling here, so the commit only sends the tail.
                let size = job.command.spoolSize
                let bound = size > 0 ? " (this job's Spool Size: \(StatusReport.grouped(size)) bytes)" : ""
                await director.message(.info, "Spooling data ...\(bound)")
            }
            await perform(machine.appendReady())
        } catch {
            logger.error("no volume for the job: \(error)")
            await director.message(.fatal, "\(error)")
            await perform(machine.appendUnavailable(reason: "\(error)"))
        }
    }

    /// Whether records of `stream` go to the Director's catalog (spec §3.3.5 e): attributes and digests (streams 1, 3, 5,
    /// 10, 17, 18, 28, with the high flag bits masked off).
    static func isCatalogued(_ stream: Int32) -> Bool {
        switch stream & 0x7FF {
        case 1, 3, 5, 10, 17, 18, 28: return true
        default: return false
        }
    }

    /// Stores one record. Its counts reach the registry every `countsPeriod` (`publishCounts`), its attributes the
    /// Director with the batch's others (`flushAttributes`).
    private func store(_ record: Record) async {
        guard storeFailure == nil, let spooler else { return }
        do {
            try await spooler.append(fileIndex: record.fileIndex, stream: record.stream, data: record.data)
        } catch {
            storeFailed(error)
            return
        }
        counted(fileIndex: record.fileIndex, bytes: record.data.count)
        if forwardsAttributes && record.fileIndex > 0 && Self.isCatalogued(record.stream) {
            pendingAttributes.append(
                AttributeUpdate(
                    jobID: appendJobID, sessionID: record.sessionID, sessionTime: record.sessionTime,
                    fileIndex: record.fileIndex, stream: record.stream, data: record.data),
                at: .now)
        }
    }

    /// Sends the attributes stored since the last call to the Director, in order, in one write.
    private func flushAttributes() async {
        guard !pendingAttributes.isEmpty else { return }
        let requests = pendingAttributes.take()
        await director?.sendWithoutReply(requests)
    }

    /// Publishes the job's file and byte counts to the registry (what status storage shows), at most every
    /// `countsPeriod` unless `now`.
    private func publishCounts(now: Bool = false) {
        guard countsUnpublished else { return }
        let time = ContinuousClock.now
        guard now || time - countsPublished >= Self.countsPeriod else { return }
        countsPublished = time
        countsUnpublished = false
        daemon.jobs.setCounts(of: jobName, files: appendedFiles, bytes: appendedBytes)
    }

    private func commitAppend() async {
        publishCounts(now: true)
        if let append {
            let committing = Date()
            if let job, job.command.spoolData {
                await director?.message(
                    .info, "Committing spooled data to Volume \"\(append.volume.volumeName)\". Despooling "
                        + "\(StatusReport.grouped(appendedBytes)) bytes (overlapped with spooling) ...")
            }
            do {
                let outcome = try await append.spooler.commit(status: storeFailure == nil ? "T" : "E", errors: storeFailure == nil ? 0 : 1)
                appendCommitted = true
                logger.info("committed", metadata: ["blocks": "\(outcome.blocks)", "segments": "\(outcome.segments.count)"])
                if let job, job.command.spoolData {
                    let seconds = Date().timeIntervalSince(committing)
                    await director?.message(
                        .info, String(format: "Despooling elapsed time = %02d:%02d:%02d (the part left at the end of the job)",
                            Int(seconds) / 3600, (Int(seconds) / 60) % 60, Int(seconds) % 60))
                    if append.spooler.diskFullRecoveries > 0 {
                        await director?.message(
                            .info, "Spool disk was full \(append.spooler.diskFullRecoveries) time(s): the job waited for "
                                + "despooling to free space and went on.")
                    }
                }
                if let storeFailure {
                    await director?.message(.fatal, storeFailure)
                    await perform(machine.appendFailed(storeFailure))
                } else {
                    await perform(machine.appendCommitted())
                }
            } catch {
                let reason = "committing to device \(append.device.name): \(error)"
                storeFailure = reason
                await director?.message(.fatal, reason)
                await perform(machine.appendFailed(reason))
            }
            return
        }
        await perform(machine.appendFailed("no volume was mounted"))
    }

    // MARK: Read

    private func serveRead(_ job: StorageJob) async {
        guard let bootstrap = daemon.jobs.entry(job.name)?.bootstrap else {
            await perform(machine.readUnavailable(reason: "the Director sent no bootstrap for this job"))
            return
        }
        let names = await daemon.volumes.volumeNames(job: job, bootstrap: bootstrap)
        readDevice = await daemon.volumes.reservation(for: job.name)?.device.name
        daemon.jobs.update(job.name) { [readDevice] in $0.device = readDevice }
        var first: String
        do {
            guard let name = names.first else { throw StorageDaemonError.volume(job: job.name, reason: "the bootstrap names no volume") }
            first = try await daemon.volumes.prepareRead(job: job, volume: name)
        } catch {
            await director?.message(.fatal, "\(error)")
            await perform(machine.readUnavailable(reason: "\(error)"))
            return
        }
        await perform(machine.readReady())
        var previous: VolumeStream?
        // The read job of a Copy or Migrate reports each source volume it read, as bacula-sd does (docs/copy-jobs.md).
        let reportsVolumes = job.command.type == .copy || job.command.type == .migrate
        for (index, name) in names.enumerated() where !closed {
            do {
                let path = index == 0 ? first : try await daemon.volumes.prepareRead(job: job, volume: name)
                first = path
                let stream = try VolumeStream(path: path, bootstrap: bootstrap)
                if let previous { stream.continueAfter(previous) }
                previous = stream
                daemon.jobs.update(job.name) { $0.volume = name }
                let catalogInfo = reportsVolumes ? await volumeInfoForReading(name, job: job) : nil
                let readStarted = ContinuousClock.now
                defer {
                    if let catalogInfo {
                        let elapsed = ContinuousClock.now - readStarted
                        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
                        pendingReadReports.append((catalogInfo, microseconds))
                    }
                }
                await director?.message(.info, "Ready to read from volume \"\(name)\" (\(path)).")
                while !closed, let event = try stream.next() {
                    switch event {
                    case .record(let record) where record.fileIndex > 0:
                        logger.trace("read record", metadata: ["volume": "\(name)", "fileIndex": "\(record.fileIndex)", "stream": "\(record.stream)", "bytes": "\(record.data.count)", "continuation": "\(record.isContinuation)", "address": "\(record.address)"])
                        readFiles.insert(record.fileIndex)
                        readBytes &+= UInt64(record.data.count)
                        if let readDevice { daemon.jobs.addBytesRead(record.data.count, device: readDevice) }
                        await perform(try machine.send(record))
                    case .damagedBlock(let error):
                        await director?.message(.error, "volume \(name): \(error); skipping that block")
                    default:
                        continue
                    }
                }
            } catch {
                storeFailure = "reading volume \(name): \(error)"
                await director?.message(.error, storeFailure ?? "")
                break
            }
        }
        for (info, microseconds) in pendingReadReports { await reportRead(info, microseconds: microseconds, job: job) }
        pendingReadReports = []
        await perform(machine.readFinished())
    }

    /// The catalog's record of a volume about to be read (`GetVolInfo write=0`), or nil when the Director has none.
    private func volumeInfoForReading(_ volume: String, job: StorageJob) async -> VolumeInfo? {
        guard let director else { return nil }
        do {
            if case .volume(let info) = try await director.request(
                .volumeInfo(jobID: job.jobID, volumeName: volume, forWriting: false))
            {
                return info
            }
        } catch {
            logger.warning("could not look up volume \(volume) before reading it: \(error)")
        }
        return nil
    }

    /// UpdateMedia for a volume that was read: the catalog's values with the read time added.
    private func reportRead(_ info: VolumeInfo, microseconds: Int64, job: StorageJob) async {
        guard let director else { return }
        let update = MediaUpdate.afterReading(
            info, readMicroseconds: microseconds, now: Int64(Date().timeIntervalSince1970))
        do {
            _ = try await director.request(.updateMedia(jobID: job.jobID, update))
        } catch {
            logger.warning("could not report the reading of volume \(info.volumeName): \(error)")
        }
    }

    // MARK: End of job

    private func endJob() async {
        guard let job, let director else { return }
        let failedBeforeTheEnd = storeFailure != nil
        var status: JobStatus
        var files: UInt32
        var bytes: UInt64
        if job.appends, let append {
            if !appendCommitted {
                // The FD went away mid-job: close the session on the volume so it reads cleanly.
                _ = try? await append.spooler.commit(status: "E", errors: 1)
                storeFailure = storeFailure ?? "the File daemon closed the connection before the end of its data"
            }
            await daemon.volumes.finishAppend(job: job, append: append, files: appendedFiles, bytes: appendedBytes, session: director)
            files = appendedFiles
            bytes = appendedBytes
        } else if job.appends {
            files = 0
            bytes = 0
        } else {
            files = UInt32(readFiles.count)
            bytes = readBytes
        }
        let canceled = daemon.jobs.entry(job.name)?.canceled ?? false
        if let failure = daemon.jobs.entry(job.name)?.failure {
            storeFailure = failure
            await director.message(.fatal, failure)
        }
        if canceled && !failedBeforeTheEnd {
            status = .canceled  // a failure of the job's own before the cancel keeps the job in error
        } else if storeFailure != nil || (job.appends && finalStatus != .terminated) || finalStatus == .error {
            status = .error
        } else {
            status = .terminated
        }
        if let started = daemon.jobs.entry(job.name)?.started {
            let seconds = max(1, Date().timeIntervalSince(started))
            let elapsed = Int(seconds)
            await director.message(
                .info,
                String(format: "Elapsed time=%02d:%02d:%02d, Transfer rate=%@ Bytes/second", elapsed / 3600, (elapsed / 60) % 60,
                    elapsed % 60, StatusReport.grouped(UInt64(Double(bytes) / seconds))))
        }
        var ended: Logger.Metadata = ["status": "\(status)", "files": "\(files)", "bytes": "\(bytes)"]
        if let storeFailure, status != .terminated { ended["error"] = "\(storeFailure)" }
        logger.info("job ended", metadata: ended)
        await director.jobEnded(
            JobEndReport(
                job: job.name, status: status, jobFiles: files, jobBytes: bytes, jobErrors: status == .terminated ? 0 : 1,
                errorMessage: storeFailure ?? ""))
        daemon.jobs.finish(job.name)
        await daemon.volumes.release(job: job.name)
    }
}
