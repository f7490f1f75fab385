import BaculaWire
import FileDaemonProtocol
import Foundation
import Logging
import Net
import StorageProtocol
import Synchronization

/// One restore part: the read session with the SD (spec §3.4.6), records fed to a `ClientRestorer`. Problems go to
/// the Director as job errors; the report counts them.
struct RestoreSession {
    let request: RestoreRequest
    let job: JobIdentity
    let storage: BsockConnection
    let director: BsockConnection
    let counters: JobCounters
    let entry: ClientJobs.Entry
    let daemonName: String
    let logger: Logger

    func run() async -> EndJobReport {
        let restorer: ClientRestorer
        do {
            restorer = try ClientRestorer(request: request)
        } catch {
            await send(.fatal, "\(error)")
            return EndJobReport(status: .fatal, files: 0, readBytes: 0, jobBytes: 0, errors: 1)
        }
        var status = EndJobReport.Status.ok
        let counters = self.counters
        counters.times.isRestore = true
        let writer = RestoreWriterThread(restorer: restorer, times: counters.times) { restorer in
            counters.update { $0.readBytes = restorer.bytesRestored }
        }
        do {
            try await director.withHeartbeats { try await read(into: writer) }
        } catch {
            logger.error("restore failed: \(error)")
            await send(.fatal, "\(error)")
            status = entry.canceled.load(ordering: .relaxed) ? .canceled : .fatal
        }
        await writer.finish()
        logger.info(
            "restore read \(writer.records) records in \(writer.batches) batches, writer woken \(writer.wakeUps) times",
            metadata: ["times": "\(counters.times.summary)"])
        for problem in restorer.problems { await send(.error, problem) }
        counters.update {
            $0.files = restorer.filesRestored
            $0.readBytes = restorer.bytesRestored
            $0.jobBytes = restorer.bytesRestored
            $0.errors += Int64(restorer.problems.count)
        }
        let values = counters.values
        if status == .ok && values.errors > 0 { status = .error }
        return EndJobReport(status: status, files: values.files, readBytes: values.readBytes, jobBytes: values.jobBytes, errors: values.errors)
    }

    private func read(into writer: RestoreWriterThread) async throws {
        let open = ReadOpenRequest(sessionID: Int64(job.sessionID), sessionTime: Int64(job.sessionTime))
        try await storage.write(.payload(FileDaemonCommand.readOpen(open).bytes))
        guard case .ticket(let ticket) = try await StorageLink.reply(storage, after: "read open session") else {
            throw StorageSessionError(step: "read open session", reason: "no ticket")
        }
        // The records go from the event loop straight to the writer, a socket read's worth at a time (no `await` per
        // frame); installed before `read data` so that none can reach `read()` ahead of it.
        // While the diversion is held, only non-throwing `await`s: the release build's compiler (Swift 6.3.1) crashed
        // ("While splitting coroutine") with throwing ones here.
        let diversion = storage.divert(afterPassing: 1, to: Self.sink(writer: writer, entry: entry))
        let ready = await requestData(ticket: ticket)
        let outcome: Result<Void, any Error> =
            switch ready {
            case .success(.dataReady): await diversion.outcome()
            case .success(let other): .failure(StorageSessionError(step: "read data", reason: "answered \(other)"))
            case .failure(let error): .failure(error)
            }
        try Self.check(outcome)
        try await close(ticket: ticket)
    }

    /// Sends `read data` and returns the SD's answer (`3000 OK data` before the records).
    private func requestData(ticket: Int32) async -> Result<FileDaemonSessionReply, any Error> {
        do {
            try await storage.write(.payload(FileDaemonCommand.readData(ticket: ticket).bytes))
            return .success(try await StorageLink.reply(storage, after: "read data"))
        } catch {
            return .failure(error)
        }
    }

    /// Ends the read session (`read close`) and the connection.
    private func close(ticket: Int32) async throws {
        try await storage.write(.payload(FileDaemonCommand.readClose(ticket: ticket).bytes))
        _ = try? await StorageLink.reply(storage, after: "read close session")
        _ = try? await storage.read()
        try? await storage.write(.signal(.terminate))
    }

    /// Takes the frames of one socket read on the event loop: records to the writer, without waiting. The last
    /// batch ends with the end-of-data signal, an error when it comes between a record's header and its data.
    private static func sink(writer: RestoreWriterThread, entry: ClientJobs.Entry) -> FrameBatchSink {
        let assembler = LockedRecords()
        return FrameBatchSink(isEnd: { $0.signal == .endOfData }) { frames, resume in
            if entry.canceled.load(ordering: .relaxed) { throw StorageSessionError(step: "read data", reason: "canceled") }
            return writer.push(try assembler.records(of: frames), resume: resume)
        }
    }

    /// How the record stream ended: the error to report, if any.
    private static func check(_ outcome: Result<Void, any Error>) throws {
        switch outcome {
        case .failure(let error as FrameDiversionError) where error == .connectionClosed:
            throw StorageSessionError(step: "read data", reason: "the Storage daemon closed the connection")
        case .failure(let error):
            throw error
        case .success:
            break
        }
    }

    private func send(_ type: MessageType, _ text: String) async {
        let message = JobMessage(jobID: job.jobID, type: type, time: Int64(Date().timeIntervalSince1970), daemon: daemonName, message: text)
        try? await director.write(.payload(message.bytes))
        logger.log(level: type == .info ? .info : .error, "\(text)")
    }
}

/// `ReadSessionRecords` fed on the event loop, behind a lock (the sink is `Sendable`).
private final class LockedRecords: @unchecked Sendable {
    private let lock = NSLock()
    private var state = ReadSessionRecords()

    func records(of frames: [Frame]) throws -> [ReadSessionRecords.Record] {
        lock.lock()
        defer { lock.unlock() }
        var records: [ReadSessionRecords.Record] = []
        records.reserveCapacity(frames.count / 2 + 1)
        for frame in frames {
            if let record = try state.take(frame) { records.append(record) }
        }
        return records
    }
}
