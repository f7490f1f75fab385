import BaculaWire
import Catalog
import Foundation
import Logging
import Net
import StorageProtocol

/// Runs one restore job (spec §3.2.8, §3.3.3): SD job with `append=0`, the bootstrap built from JobMedia and File
/// records, the FD's `storage … Authorization=` and `restore files=…`, then `endrestore` when the FD reports the
/// end of the storage part.
struct RestoreRunner {
    let runtime: DirectorRuntime
    let jobID: Int64
    let plan: RestorePlan
    let resource: DirectorConfiguration.Job
    let configuration: DirectorConfiguration

    var director: String { configuration.director.name }

    func say(_ text: String, type: String = "info") {
        runtime.say(text, type: type, jobID: jobID, messages: resource.messages)
    }

    func run() async {
        let catalog = runtime.catalog
        var row = (try? catalog.job(id: jobID)) ?? JobRow()
        row.jobID = jobID
        let start = CatalogTime.now()
        var status = "f"
        var fdReport: FileDaemonLink.EndReport?
        var sdReport: JobEndReport?
        var uname = ""
        do {
            guard let client = configuration.client(plan.restoreClient) else {
                throw JobFailure("Client \"\(plan.restoreClient)\" not found")
            }
            let jobs = try plan.jobIDs.compactMap { try catalog.job(id: $0) }
            let media = try catalog.jobMedia(jobIDs: plan.jobIDs)
            guard !media.isEmpty else { throw JobFailure("No volumes found for JobIds \(plan.jobIDs)") }
            let storageName = plan.storage ?? resource.storage.first ?? configuration.pool(resource.pool)?.storage.first ?? ""
            guard let storage = configuration.storage(storageName) else {
                throw JobFailure("Storage \"\(storageName)\" not found")
            }
            let bootstrap = BootstrapBuilder.text(
                jobs: jobs, media: media, selected: plan.selected, storage: storage.name, device: nil)
            if let path = plan.bootstrapPath { try? bootstrap.write(toFile: path, atomically: true, encoding: .utf8) }
            // the unique Job name given when the job was queued stays (as in bacula-dir): a console or a log
            // reader that took it from `run`'s JobId must find the job under it
            if row.job.isEmpty { row.job = runtime.uniqueJobName(resource.name, at: start) }
            row.status = "R"
            row.level = " "
            row.type = "R"
            row.startTime = start
            row.jobTDate = start
            row.clientID = try catalog.ensureClient(
                name: client.name, autoPrune: client.autoPrune, fileRetention: client.fileRetention,
                jobRetention: client.jobRetention)
            if let poolID = try catalog.poolID(named: resource.pool) { row.poolID = poolID }
            try catalog.startJob(row)
            runtime.jobs.update(jobID: jobID, status: "R", job: row.job)
            say("\(director) JobId \(jobID): Start Restore Job \(row.job)\n")
            guard await scripts(row: row, status: nil).run(resource.scripts.filter { !$0.runsOnClient && $0.runsBefore }, label: "BeforeJob")
            else { throw ScriptFailure() }
            let pool = configuration.pool(resource.pool)
            let result = try await transfer(
                row: row, client: client, storage: storage, poolName: pool?.name ?? resource.pool,
                poolType: pool?.definition.poolType ?? "Backup", bootstrap: bootstrap)
            fdReport = result.fd
            sdReport = result.sd
            uname = result.uname
            let fdStatus = fdReport.map { Character(UnicodeScalar(UInt8(clamping: $0.termCode))) } ?? "E"
            let sdStatus = sdReport?.status.character ?? "E"
            if fdStatus == "T" && sdStatus == "T" {
                status = "T"
            } else if fdStatus == "A" || sdStatus == "A" {
                status = "A"
            } else if sdStatus == "T" && (fdReport?.errors ?? 0) > 0 && (fdReport?.files ?? 0) > 0 {
                status = "W"
            } else {
                status = "E"
            }
        } catch is CancellationError {
            status = "A"
        } catch is ScriptFailure {
            status = "E"
        } catch {
            status = "f"
            say("\(director) JobId \(jobID): Fatal error: \(error)\n", type: "fatal")
        }
        if Task.isCancelled { status = "A" }
        let end = CatalogTime.now()
        row.status = status
        row.endTime = end
        row.realEndTime = end
        row.files = fdReport?.files ?? 0
        row.bytes = fdReport?.bytes ?? 0
        row.readBytes = fdReport?.readBytes ?? 0
        row.errors = fdReport?.errors ?? 0
        try? catalog.finishJob(row)
        var text = "\(director) JobId \(jobID): Bacula \(director) 9.6.7 (10Dec20):\n"
        text += JobReport.line("Build OS", "x86_64-pc-linux-gnu debian bookworm/sid")
        text += JobReport.line("JobId", String(jobID))
        text += JobReport.line("Job", row.job)
        text += JobReport.line("Restore Client", "\(plan.restoreClient) \(uname)")
        text += JobReport.line("Where", plan.regexWhere == nil ? (plan.where_ ?? "") : "")
        if let regex = plan.regexWhere { text += JobReport.line("RegexWhere", regex) }
        text += JobReport.line("Replace", plan.replace)
        text += JobReport.line("Start time", JobReport.longTime(start))
        text += JobReport.line("End time", JobReport.longTime(end))
        text += JobReport.line("Elapsed time", JobReport.elapsed(end - start))
        text += JobReport.line("Files Expected", JobReport.commas(Int64(plan.fileCount)))
        text += JobReport.line("Files Restored", JobReport.commas(row.files))
        text += JobReport.line("Bytes Restored", "\(JobReport.commas(row.bytes)) (\(JobReport.suffixed(row.bytes)))")
        text += JobReport.line("Rate", String(format: "%.1f KB/s", Double(row.bytes) / Double(max(end - start, 1)) / 1000))
        text += JobReport.line("FD Errors", String(row.errors))
        text += JobReport.line("FD termination status", fdReport.map { JobReport.statusText(String(Character(UnicodeScalar(UInt8(clamping: $0.termCode))))) } ?? "")
        text += JobReport.line("SD termination status", sdReport.map { JobReport.statusText(String($0.status.character ?? "E")) } ?? "")
        let termination: String
        switch status {
        case "T": termination = "Restore OK"
        case "W": termination = "Restore OK -- with warnings"
        case "A": termination = "Restore Canceled"
        default: termination = "*** Restore Error ***"
        }
        text += JobReport.line("Termination", termination)
        say(text + "\n", type: status == "T" ? "info" : "error")
        let succeeded = status == "T" || status == "W"
        _ = await scripts(row: row, status: status).run(
            resource.scripts.filter { !$0.runsOnClient && $0.runsAfter(succeeded: succeeded) }, label: "AfterJob")
        runtime.endJob(jobID: jobID, status: status)
    }

    /// The runner of the job's Director scripts, their `%` codes from `row` and `status` (`%e`).
    private func scripts(row: JobRow, status: String?) -> JobScriptRunner {
        JobScriptRunner(
            runtime: runtime, row: row, client: plan.restoreClient, jobName: resource.name, messages: resource.messages, status: status)
    }

    private func transfer(
        row: JobRow, client: DirectorConfiguration.Client, storage: DirectorConfiguration.Storage, poolName: String,
        poolType: String, bootstrap: String
    ) async throws -> (fd: FileDaemonLink.EndReport, sd: JobEndReport?, uname: String) {
        let runtime = self.runtime
        let jobID = self.jobID
        let messagesName = resource.messages
        let director = self.director
        var storageOptions = runtime.connectionOptions
        storageOptions.heartbeatInterval = storage.heartbeatInterval > 0 ? .seconds(storage.heartbeatInterval) : nil
        let poolID = (try? runtime.catalog.poolID(named: poolName)) ?? 0
        let pool = configuration.pool(poolName)
        let service = pool.map {
            StorageCatalogService(
                context: .init(
                    jobID: jobID, pool: $0, poolID: poolID, storage: storage, storageID: 0, directorName: director),
                catalog: runtime.catalog, logger: runtime.logger,
                say: { text, type in runtime.say(text, type: type, jobID: jobID, messages: messagesName) })
        }
        return try await BsockClient.withConnection(host: storage.address, port: storage.port, options: storageOptions) {
            sdConnection in
            let link = try await StorageLink.open(
                sdConnection, directorName: director, password: storage.password, jobID: jobID, service: service,
                runtime: runtime, messages: messagesName, tls: storage.tls, host: storage.address)
            let start = JobStartCommand(
                jobID: UInt32(jobID), job: row.job, jobName: resource.name, clientName: client.name, type: .restore,
                level: .none, fileSet: plan.fileSet ?? resource.fileSet, fileSetMD5: "dummy")
            let session = try await link.startJob(start)
            let use = UseStorageCommand(
                storage: storage.name, mediaType: storage.mediaType, poolName: poolName, poolType: poolType,
                append: false)
            _ = try await link.reserve(use, devices: storage.devices.isEmpty ? [storage.name] : storage.devices)
            var fdOptions = runtime.connectionOptions
            fdOptions.heartbeatInterval = client.heartbeatInterval > 0 ? .seconds(client.heartbeatInterval) : nil
            return try await BsockClient.withConnection(host: client.address, port: client.port, options: fdOptions) {
                connection in
                runtime.jobs.setCancel(jobID: jobID, connection.closer)
                _ = try await FileDaemonLink.authenticate(
                    connection, directorName: director, password: client.password, tls: client.tls, host: client.address)
                let fd = FileDaemonLink(
                    connection: connection,
                    onMessage: { type, text in runtime.say(text, type: type, jobID: jobID, messages: messagesName) })
                let uname = try await fd.identify(
                    jobID: jobID, job: row.job, sessionID: session.sessionID, sessionTime: session.sessionTime,
                    key: session.key)
                try await link.sendBootstrap(bootstrap)
                try await link.run()
                async let storageEnd = link.serveUntilEnd()
                do {
                    try await fd.storage(
                        address: storage.fileDaemonAddress ?? storage.address, port: storage.port, key: session.key)
                    try await fd.runScripts(resource.scripts.filter { $0.runsOnClient && $0.when != .never && !$0.isConsoleCommand })
                    try await fd.restore(
                        files: plan.fileCount, replace: plan.replacePolicy, where: plan.where_,
                        regexWhere: plan.regexWhere, prefixLinks: resource.prefixLinks)
                    let end = try await fd.waitForEnd()
                    let sd = try? await storageEnd
                    return (end, sd, uname)
                } catch {
                    sdConnection.closer()
                    _ = try? await storageEnd
                    throw error
                }
            }
        }
    }
}
