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
        let entry = self.entry
        let assembler = LockedRecords()
        let sink = FrameBatchSink(isEnd: { $0.signal == .endOfData }) { frames, resume in
            if entry.canceled.load(ordering: .relaxed) { throw StorageSessionError(step: "read data", reason: "canceled") }
            return writer.push(try assembler.records(of: frames), resume: resume)
        }
        let diversion = try await storage.divert(afterPassing: 1, to: sink)
        try await storage.write(.payload(FileDaemonCommand.readData(ticket: ticket).bytes))
        let ready = try await StorageLink.reply(storage, after: "read data")
        guard ready == .dataReady else { throw StorageSessionError(step: "read data", reason: "answered \(ready)") }
        do {
            try await diversion.finished()
        } catch FrameDiversionError.connectionClosed {
            throw StorageSessionError(step: "read data", reason: "the Storage daemon closed the connection")
        }
        if assembler.isInsideRecord {
            throw StorageSessionError(step: "read data", reason: "a record header without its data")
        }
        try await storage.write(.payload(FileDaemonCommand.readClose(ticket: ticket).bytes))
        _ = try? await StorageLink.reply(storage, after: "read close session")
        _ = try? await storage.read()
        try? await storage.write(.signal(.terminate))
    }

    private func send(_ type: MessageType, _ text: String) async {
        let message = JobMessage(jobID: job.jobID, type: type, time: Int64(Date().timeIntervalSince1970), daemon: daemonName, message: text)
        try? await director.write(.payload(message.bytes))
        logger.log(level: type == .info ? .info : .error, "\(text)")
    }
}

/// `ReadSessionRecords` shared between the event loop (which feeds it) and the session (which checks its end).
private final class LockedRecords: Sendable {
    private let state = Mutex(ReadSessionRecords())

    func records(of frames: [Frame]) throws -> [ReadSessionRecords.Record] {
        try state.withLock { records in try frames.compactMap { try records.take($0) } }
    }

    var isInsideRecord: Bool { state.withLock { $0.isInsideRecord } }
}
