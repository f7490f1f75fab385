import BaculaWire
import FileDaemonProtocol
import Foundation
import Logging
import Net
import StorageProtocol
import Synchronization

/// One backup: the append session with the SD (spec §3.4.2) fed by a `BackupProducer` on its own thread. The
/// producer may run at most `window` batches ahead of the network (memory stays bounded); the frames go out through
/// NIO with its backpressure. Job messages go to the Director as they come.
struct BackupSession {
    let plan: BackupPlan
    let storage: BsockConnection
    let director: BsockConnection
    let counters: JobCounters
    let entry: ClientJobs.Entry
    let daemonName: String
    let bufferSize: Int
    let logger: Logger
    /// Batches of frames (each about 256 KiB) the reader may have in flight.
    var window = 16

    /// Runs the job and returns its end report; never throws (failures are the report).
    func run() async -> EndJobReport {
        do {
            let status = try await director.withHeartbeats { try await append() }
            return report(status)
        } catch {
            logger.error("backup failed: \(error)")
            await sendMessage(.fatal, "\(error)")
            counters.update { $0.errors += 1 }
            return report(entry.canceled.load(ordering: .relaxed) ? .canceled : .fatal)
        }
    }

    private func report(_ status: EndJobReport.Status) -> EndJobReport {
        let values = counters.values
        var final = status
        if values.fatal && status == .ok { final = .fatal }
        if final == .ok && (values.errors > 0 || values.warnings > 0) { final = .warnings }
        return EndJobReport(
            status: final, files: values.files, readBytes: values.readBytes, jobBytes: values.jobBytes, errors: values.errors)
    }

    private func append() async throws -> EndJobReport.Status {
        try await storage.write(.payload(FileDaemonCommand.appendOpen.bytes))
        guard case .ticket(let ticket) = try await StorageLink.reply(storage, after: "append open session") else {
            throw StorageSessionError(step: "append open session", reason: "no ticket")
        }
        try await storage.write(.payload(FileDaemonCommand.appendData(ticket: ticket).bytes))
        let ready = try await StorageLink.reply(storage, after: "append data")
        guard ready == .dataReady else { throw StorageSessionError(step: "append data", reason: "answered \(ready)") }
        try await sendRecords()
        if entry.canceled.load(ordering: .relaxed) { return .canceled }
        try await storage.write(.signal(.endOfData))
        let stored = try await StorageLink.reply(storage, after: "end of data")
        guard stored == .appendDataStored else { throw StorageSessionError(step: "end of data", reason: "answered \(stored)") }
        try await storage.write(.payload(FileDaemonCommand.appendEnd(ticket: ticket).bytes))
        _ = try await StorageLink.reply(storage, after: "append end session")
        try await storage.write(.payload(FileDaemonCommand.appendClose(ticket: ticket).bytes))
        let closed = try await StorageLink.reply(storage, after: "append close session")
        guard case .sessionClosed(let status) = closed, [JobStatus.terminated, .terminatedWithWarnings, .incomplete].contains(status) else {
            throw StorageSessionError(step: "append close session", reason: "answered \(closed)")
        }
        _ = try? await storage.read()  // the EOD after the close status
        try? await storage.write(.signal(.terminate))
        return .ok
    }

    /// Streams the producer's frames to the SD; stops the producer (and drains it) when sending fails.
    private func sendRecords() async throws {
        let (events, continuation) = AsyncStream<BackupEvent>.makeStream()
        let gate = DispatchSemaphore(value: window)
        let stop = Atomic<Bool>(false)
        let plan = self.plan
        let counters = self.counters
        let bufferSize = self.bufferSize
        let daemonName = self.daemonName
        let entry = self.entry
        let box = UncheckedBox(continuation)
        let thread = Thread {
            ThreadName.set("fd-backup-read")
            let producer = BackupProducer(
                plan: plan, bufferSize: bufferSize, counters: counters, daemonName: daemonName,
                isCanceled: { entry.canceled.load(ordering: .relaxed) || stop.load(ordering: .relaxed) },
                emit: { event in
                    if case .frames = event { gate.wait() }
                    if stop.load(ordering: .relaxed) { return false }
                    box.value.yield(event)
                    return true
                })
            producer.run()
            box.value.finish()
        }
        thread.stackSize = 8 << 20
        thread.start()
        var failure: (any Error)?
        for await event in events {
            switch event {
            case .frames(let frames):
                defer { gate.signal() }
                guard failure == nil else { continue }
                do {
                    let start = JobTimes.now()
                    try await storage.write(contentsOf: frames)
                    counters.times.add(.network, nanoseconds: JobTimes.now() - start)
                } catch {
                    failure = error
                    stop.store(true, ordering: .relaxed)
                }
            case .message(let type, let text):
                await sendMessage(type, text)
            case .listing:
                break
            }
            if entry.canceled.load(ordering: .relaxed) { stop.store(true, ordering: .relaxed) }
        }
        if let failure { throw failure }
    }

    private func sendMessage(_ type: MessageType, _ text: String) async {
        let message = JobMessage(
            jobID: plan.job.jobID, type: type, time: Int64(Date().timeIntervalSince1970), daemon: daemonName, message: text)
        try? await director.write(.payload(message.bytes))
        logger.log(level: type == .error || type == .fatal ? .error : type == .warning ? .warning : .info, "\(text.trimmingCharacters(in: .whitespaces))")
    }
}

/// Hands a non-Sendable value (an AsyncStream continuation is Sendable; this keeps the closure simple) to a thread.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
