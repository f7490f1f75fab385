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
        let writer = RestoreWriterThread(restorer: restorer) { restorer in
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
        try await storage.write(.payload(FileDaemonCommand.readData(ticket: ticket).bytes))
        let ready = try await StorageLink.reply(storage, after: "read data")
        guard ready == .dataReady else { throw StorageSessionError(step: "read data", reason: "answered \(ready)") }
        while let frame = try await storage.read() {
            guard case .payload(let headerBytes) = frame else {
                if frame.signal == .endOfData { break }
                continue
            }
            let header = try ReadRecordHeader(parsing: headerBytes)
            guard let dataFrame = try await storage.read(), case .payload(let data) = dataFrame else {
                throw StorageSessionError(step: "read data", reason: "a record header without its data")
            }
            writer.push(fileIndex: header.fileIndex, stream: header.stream, data: data)
            if entry.canceled.load(ordering: .relaxed) { throw StorageSessionError(step: "read data", reason: "canceled") }
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
