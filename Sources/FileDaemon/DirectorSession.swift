import BaculaWire
import FileDaemonProtocol
import Foundation
import Logging
import Net
import StorageProtocol

/// Carries out a `DirectorConversation` on one authenticated Director connection: reads its commands, performs
/// the actions (SD connection, backup, restore, estimate, status, cancel) and feeds their outcomes back.
final class DirectorSession {
    let director: BsockConnection
    let daemon: FileDaemon
    let monitor: Bool
    var logger: Logger
    private var conversation: DirectorConversation
    private var entry: ClientJobs.Entry?
    private var lastReport: EndJobReport?
    /// A restore's client scripts that run after it (at `finishRestore`, once for all its parts).
    private var restoreScripts: (JobIdentity, [RunScript])?

    init(director: BsockConnection, daemon: FileDaemon, monitor: Bool, logger: Logger) {
        self.director = director
        self.daemon = daemon
        self.monitor = monitor
        self.logger = logger
        self.conversation = DirectorConversation(uname: daemon.uname)
    }

    func run() async {
        do {
            try await converse(storage: nil)
        } catch {
            logger.info("Director session ended: \(error)")
        }
        if let entry { daemon.jobs.remove(entry) }
    }

    private func converse(storage: BsockConnection?) async throws {
        while !conversation.isFinished {
            guard let frame = try await director.read() else { return }
            if monitor, case .payload(let bytes) = frame,
                !(bytes.starts(with: "status".utf8) || bytes.starts(with: ".status".utf8) || bytes.starts(with: "JobId=".utf8))
            {
                logger.warning("a monitor Director may only ask for status: \"\(String(decoding: bytes.prefix(40), as: UTF8.self))\"")
                try await director.write(.payload(FileDaemonReply.invalidCommand))
                try await director.write(.signal(.endOfData))
                return
            }
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let actions = conversation.received(frame, nowMicroseconds: now)
            if try await perform(actions, storage: storage) { return }
        }
    }

    /// Carries out `actions`; true when the conversation is over (it went on inside a nested SD session).
    private func perform(_ actions: [DirectorConversation.Action], storage: BsockConnection?) async throws -> Bool {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .send(let frames):
                for frame in frames { try await director.write(frame) }
            case .log(let text):
                logger.warning("\(text)")
            case .close:
                return true
            case .connectStorage(let address, let job):
                logger[metadataKey: "job"] = "\(job.job)"
                let entry = self.entry ?? ClientJobs.Entry(jobID: job.jobID, job: job.job, kind: "Backup/Restore")
                if self.entry == nil {
                    self.entry = entry
                    daemon.jobs.add(entry)
                }
                var reached = false
                do {
                    try await StorageLink.withSession(
                        address: address, job: job, clientName: daemon.configuration.client.name, options: daemon.options,
                        tls: daemon.storageTLS, connectTimeout: .seconds(daemon.configuration.client.storageConnectTimeout), logger: logger
                    ) { sd in
                        reached = true
                        entry.closers.withLock { $0.append(sd.closer) }
                        let more = conversation.storageConnected(true)
                        if try await perform(Array(queue) + more, storage: sd) { return }
                        try await converse(storage: sd)
                    }
                    return true
                } catch {
                    if reached { throw error }
                    logger.error("\(error)")
                    let message = JobMessage(
                        jobID: job.jobID, type: .fatal, time: Int64(Date().timeIntervalSince1970),
                        daemon: daemon.configuration.client.name, message: "\(error)")
                    try await director.write(.payload(message.bytes))
                    queue = (conversation.storageConnected(false) + Array(queue))[...]
                }
            case .startBackup(var plan):
                guard let storage, let entry else { continue }
                plan.bandwidth = Self.bandwidth(director: plan.bandwidth, daemon: daemon.configuration.client.maximumBandwidthPerJob)
                let report = await BackupSession(
                    plan: plan, storage: storage, director: director, counters: entry.counters, entry: entry,
                    daemonName: daemon.configuration.client.name, bufferSize: daemon.bufferSize, logger: logger
                ).run()
                let scripts = await ScriptRunner.run(
                    plan.scripts.filter { $0.when & RunScript.after != 0 }, job: plan.job,
                    clientName: daemon.configuration.client.name, jobOK: report.status == .ok || report.status == .warnings)
                for line in scripts.messages { await jobMessage(plan.job, .info, line) }
                logger.info("backup ended", metadata: ["status": "\(report.status)", "files": "\(report.files)", "bytes": "\(report.readBytes)"])
                queue += conversation.backupFinished(report)
            case .startRestore(let request, let job, let scripts):
                guard let storage, let entry else { continue }
                restoreScripts = (job, scripts.filter { $0.when & RunScript.after != 0 })
                let report = await RestoreSession(
                    request: request, job: job, storage: storage, director: director, counters: entry.counters,
                    entry: entry, daemonName: daemon.configuration.client.name, logger: logger
                ).run()
                lastReport = report
                logger.info("restore part ended", metadata: ["status": "\(report.status)", "files": "\(report.files)"])
                queue += conversation.restorePartFinished(report)
            case .finishRestore:
                let report = lastReport ?? EndJobReport(status: .fatal, files: 0, readBytes: 0, jobBytes: 0, errors: 1)
                if let (job, scripts) = restoreScripts, !scripts.isEmpty {
                    let result = await ScriptRunner.run(
                        scripts, job: job, clientName: daemon.configuration.client.name,
                        jobOK: report.status == .ok || report.status == .warnings)
                    for line in result.messages { await jobMessage(job, .info, line) }
                }
                restoreScripts = nil
                queue += conversation.restoreFinished(report)
            case .runEstimate(let plan, let listing):
                let (files, bytes) = try await estimate(plan, listing: listing)
                queue += conversation.estimateFinished(files: files, bytes: bytes)
            case .runBeforeScripts(let scripts, let job):
                let result = await ScriptRunner.run(scripts, job: job, clientName: daemon.configuration.client.name)
                for line in result.messages { await jobMessage(job, result.ok ? .info : .error, line) }
                queue += conversation.beforeScriptsFinished(result.ok)
            case .sendStatus:
                // As bacula-fd: a lone newline first, then each line with a trailing NUL.
                try await director.write(.text("\n"))
                for line in ClientStatus.lines(daemonName: daemon.configuration.client.name, jobs: daemon.jobs) {
                    try await director.write(.payload(Array(line.utf8) + [0]))
                }
                try await director.write(.signal(.endOfData))
            case .cancel(let job, let stop):
                let found = daemon.jobs.cancel(job: job)
                logger.info("cancel \(job): \(found ? "canceled" : "not found")")
                try await director.write(.payload(FileDaemonReply.cancel(job: job, found: found, stop: stop)))
                try await director.write(.signal(.endOfData))
            }
        }
        return false
    }

    private func jobMessage(_ job: JobIdentity, _ type: MessageType, _ text: String) async {
        let message = JobMessage(jobID: job.jobID, type: type, time: Int64(Date().timeIntervalSince1970), daemon: daemon.configuration.client.name, message: text)
        try? await director.write(.payload(message.bytes))
    }

    /// Walks the FileSet without reading data; listing lines go to the Director as plain text.
    private func estimate(_ plan: BackupPlan, listing: Bool) async throws -> (Int64, Int64) {
        let counters = JobCounters()
        let (events, continuation) = AsyncStream<BackupEvent>.makeStream()
        let box = UncheckedBox(continuation)
        let name = daemon.configuration.client.name
        let thread = Thread {
            BackupProducer(
                plan: plan, bufferSize: 65536, counters: counters, daemonName: name, estimateOnly: true, isCanceled: { false },
                emit: { event in
                    box.value.yield(event)
                    return true
                }
            ).run()
            box.value.finish()
        }
        thread.stackSize = 8 << 20
        thread.start()
        for await event in events {
            if case .listing(let line) = event, listing { try await director.write(.text(line)) }
        }
        let values = counters.values
        return (values.files, values.readBytes)
    }

    /// A job's rate limit in bytes per second (0: none): the Director's `setbandwidth`, capped by the FileDaemon
    /// resource's `Maximum Bandwidth Per Job`, as bacula-fd applies them.
    static func bandwidth(director: Int64, daemon: Int64) -> Int64 {
        [director, daemon].filter { $0 > 0 }.min() ?? 0
    }
}
