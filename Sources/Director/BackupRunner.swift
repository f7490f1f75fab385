import BaculaWire
import CapstanConfig
import FileDaemonProtocol
import Catalog
import Foundation
import Logging
import Net
import StorageProtocol
import Subprocesses

/// Runs one backup job with an SD and an FD (spec §3.2.2, §3.3): catalog rows, level and since-time, SD job
/// setup and reservation, the FD command sequence (Accurate list included), the SD's catalog traffic, the end
/// report, the Write Bootstrap file.
struct BackupRunner {
    let runtime: DirectorRuntime
    let jobID: Int64
    let request: JobRequest
    let resource: DirectorConfiguration.Job
    let configuration: DirectorConfiguration

    var logger: Logger {
        var logger = runtime.logger
        logger[metadataKey: "job-id"] = "\(jobID)"
        logger[metadataKey: "job"] = "\(resource.name)"
        return logger
    }

    func say(_ text: String, type: String = "info") {
        runtime.say(text, type: type, jobID: jobID, messages: resource.messages)
    }

    var director: String { configuration.director.name }

    /// Logs a step of the job at debug level with the seconds since `origin` (`-d 1`): the job's timeline, for
    /// telling the Director's own time from the FD's and the SD's.
    func timeline(_ step: String, since origin: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - origin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        logger.debug("timeline +\(String(format: "%.3f", seconds)) s: \(step)")
    }

    /// Runs the job to its end; never throws (failures end the job with status `f`/`E` and a message).
    func run() async {
        let catalog = runtime.catalog
        var row = (try? catalog.job(id: jobID)) ?? JobRow()
        row.jobID = jobID
        let start = CatalogTime.now()
        let origin = ContinuousClock.now
        var report = Outcome()
        do {
            guard let client = configuration.client(request.client ?? resource.client) else {
                throw JobFailure("Client \"\(request.client ?? resource.client)\" not found")
            }
            guard let fileSet = configuration.fileSet(request.fileSet ?? resource.fileSet) else {
                throw JobFailure("FileSet \"\(request.fileSet ?? resource.fileSet)\" not found")
            }
            var level = request.level ?? JobRequest.levelLetter(resource.level) ?? "F"
            let clientID = try catalog.ensureClient(
                name: client.name, autoPrune: client.autoPrune, fileRetention: client.fileRetention,
                jobRetention: client.jobRetention)
            let md5 = FileSetEncoding.md5(fileSet)
            let fileSetRow = try catalog.ensureFileSet(name: fileSet.name, md5: md5)
            var since: JobRow?
            var upgradedFrom: String?
            if level == "I" || level == "D" {
                func last(_ levels: [String]) throws -> JobRow? {
                    try catalog.lastBackup(name: resource.name, clientID: clientID, fileSetID: fileSetRow.id, levels: levels)
                }
                since = try last(level == "I" ? ["F", "D", "I"] : ["F"])
                if since == nil { say("\(director) JobId \(jobID): No prior Full backup Job record found.\n") }
                let failed = try since.flatMap { since in
                    resource.rerunFailedLevels
                        ? try catalog.failedLevel(name: resource.name, clientID: clientID, fileSetID: fileSetRow.id, since: since.startTime)
                        : nil
                }
                let decision = LevelUpgrade.decide(
                    level: level, since: since != nil, lastFull: try last(["F"])?.startTime,
                    lastDifferential: try last(["D"])?.startTime, now: CatalogTime.now(),
                    maxFullInterval: resource.maxFullInterval, maxDiffInterval: resource.maxDiffInterval, failedLevel: failed)
                if let message = decision.message { say("\(director) JobId \(jobID): \(message)\n") }
                if decision.level != level {
                    upgradedFrom = decision.upgradedFrom
                    level = decision.level
                    since = level == "D" ? try last(["F"]) : nil
                }
            }
            let poolName = request.pool
                ?? (level == "F" ? resource.fullPool : level == "I" ? resource.incrementalPool : resource.differentialPool)
                ?? resource.pool
            guard let pool = configuration.pool(poolName) else { throw JobFailure("Pool \"\(poolName)\" not found") }
            let storageName = request.storage ?? resource.storage.first ?? pool.storage.first ?? ""
            guard let storage = configuration.storage(storageName) else {
                throw JobFailure("Storage \"\(storageName)\" not found")
            }
            let poolID = try catalog.ensurePool(pool.definition)
            let storageID = try catalog.ensureStorage(name: storage.name, autochanger: storage.autochanger)
            _ = try catalog.ensureMediaType(storage.mediaType)
            // the unique Job name given when the job was queued stays (as in bacula-dir): a console or a log
            // reader that took it from `run`'s JobId must find the job under it
            if row.job.isEmpty { row.job = runtime.uniqueJobName(resource.name, at: start) }
            row.level = level
            row.clientID = clientID
            row.poolID = poolID
            row.fileSetID = fileSetRow.id
            row.status = "R"
            row.startTime = start
            row.jobTDate = start
            try catalog.startJob(row)
            runtime.jobs.update(jobID: jobID, status: "R", level: level, job: row.job)
            say("\(director) JobId \(jobID): Start Backup JobId \(jobID), Job=\(row.job)\n")
            report.levelText = JobReport.levelName(level)
                + (upgradedFrom.map { " (upgraded from \(JobReport.levelName($0)))" }
                    ?? since.map { ", since=" + CatalogTime.text($0.startTime) } ?? "")
            report.client = client
            report.fileSet = (fileSet.name, fileSetRow.created)
            report.pool = pool.name
            report.storage = storage.name
            guard await scripts(row: row, status: nil).run(resource.scripts.filter { !$0.runsOnClient && $0.runsBefore }, label: "BeforeJob")
            else { throw ScriptFailure() }
            let outcome = try await transfer(
                row: row, level: level, since: since, client: client, fileSet: fileSet, fileSetMD5: md5, pool: pool,
                poolID: poolID, storage: storage, storageID: storageID, origin: origin)
            report.merge(outcome)
        } catch is CancellationError {
            report.status = "A"
            say("\(director) JobId \(jobID): Job \(row.job) canceled.\n", type: "error")
        } catch is ScriptFailure {
            report.status = "E"
        } catch {
            report.status = report.status == "A" ? "A" : "f"
            say("\(director) JobId \(jobID): Fatal error: \(error)\n", type: "fatal")
        }
        if Task.isCancelled { report.status = "A" }
        let end = CatalogTime.now()
        row.status = report.status
        row.endTime = end
        row.realEndTime = end
        row.files = report.files
        row.bytes = report.bytes
        row.readBytes = report.readBytes
        row.errors = report.errors
        row.sessionID = report.sessionID
        row.sessionTime = report.sessionTime
        do { try catalog.finishJob(row) } catch { logger.error("cannot record the job's end: \(error)") }
        timeline("job row committed (status \(report.status))", since: origin)
        if report.status == "T" || report.status == "W", let path = resource.writeBootstrap {
            await writeBootstrap(path: path, job: row)
        }
        say(endReport(row: row, outcome: report, start: start, end: end), type: report.status == "T" ? "info" : "error")
        let succeeded = report.status == "T" || report.status == "W"
        _ = await scripts(row: row, status: report.status).run(
            resource.scripts.filter { !$0.runsOnClient && $0.runsAfter(succeeded: succeeded) }, label: "AfterJob")
        autoPrune(report)
        runtime.endJob(jobID: jobID, status: report.status)
        timeline("job finished", since: origin)
    }

    /// The runner of the job's Director scripts, their `%` codes from `row` and `status` (`%e`).
    private func scripts(row: JobRow, status: String?) -> JobScriptRunner {
        JobScriptRunner(
            runtime: runtime, row: row, client: request.client ?? resource.client, jobName: resource.name, messages: resource.messages, status: status)
    }

    /// Pruning after a job, as Bacula does it: a Client with AutoPrune — or a Job with `Prune Files` / `Prune Jobs`,
    /// which override the Client's — has the File rows of its jobs past File Retention dropped, then its jobs past
    /// Job Retention removed; a Job with `Prune Volumes` has its pool's volumes past Volume Retention purged. (Volumes
    /// are also pruned by a pool with AutoPrune when a job needs one, in `StorageCatalogService.findMedia`.)
    private func autoPrune(_ outcome: Outcome) {
        guard let client = outcome.client else { return }
        do {
            let files = client.autoPrune || resource.pruneFiles ? try Pruning.pruneFiles(runtime.catalog, client: client) : 0
            let jobs = client.autoPrune || resource.pruneJobs ? try Pruning.pruneJobs(runtime.catalog, client: client) : 0
            if files > 0 || jobs > 0 {
                logger.info("auto prune: files of \(files) job(s) and \(jobs) job(s) of client \(client.name) pruned")
            }
            if resource.pruneVolumes, !outcome.pool.isEmpty {
                for volume in try Pruning.pruneVolumes(runtime.catalog, poolName: outcome.pool, volume: nil) {
                    say("\(director) JobId \(jobID): Volume \"\(volume)\" contains no jobs after pruning.\n")
                }
            }
        } catch {
            logger.warning("automatic pruning failed: \(error)")
        }
    }

    /// What the transfer produced, and what the report names.
    struct Outcome {
        var status = "f"
        var files: Int64 = 0
        var bytes: Int64 = 0
        var readBytes: Int64 = 0
        var errors: Int64 = 0
        var storageFiles: Int64 = 0
        var storageBytes: Int64 = 0
        var sessionID: Int64 = 0
        var sessionTime: Int64 = 0
        var fileDaemonStatus = ""
        var storageStatus = ""
        var uname = ""
        var volumes: [String] = []
        var levelText = ""
        var client: DirectorConfiguration.Client?
        var fileSet: (String, Int64) = ("", 0)
        var pool = ""
        var storage = ""
        var accurate = false

        mutating func merge(_ other: Outcome) {
            status = other.status
            files = other.files
            bytes = other.bytes
            readBytes = other.readBytes
            errors = other.errors
            storageFiles = other.storageFiles
            storageBytes = other.storageBytes
            sessionID = other.sessionID
            sessionTime = other.sessionTime
            fileDaemonStatus = other.fileDaemonStatus
            storageStatus = other.storageStatus
            uname = other.uname
            volumes = other.volumes
            accurate = other.accurate
        }
    }

    private func transfer(
        row: JobRow, level: String, since: JobRow?, client: DirectorConfiguration.Client,
        fileSet: DirectorConfiguration.FileSet, fileSetMD5: String, pool: DirectorConfiguration.Pool, poolID: Int64,
        storage: DirectorConfiguration.Storage, storageID: Int64, origin: ContinuousClock.Instant
    ) async throws -> Outcome {
        var outcome = Outcome()
        outcome.accurate = resource.accurate
        let runtime = self.runtime
        let jobID = self.jobID
        let messagesName = resource.messages
        let service = StorageCatalogService(
            context: .init(
                jobID: jobID, pool: pool, poolID: poolID, storage: storage, storageID: storageID, directorName: director),
            catalog: runtime.catalog, logger: logger,
            say: { text, type in runtime.say(text, type: type, jobID: jobID, messages: messagesName) })
        var storageOptions = runtime.connectionOptions
        storageOptions.heartbeatInterval = storage.heartbeatInterval > 0 ? .seconds(storage.heartbeatInterval) : nil
        return try await BsockClient.withConnection(host: storage.address, port: storage.port, options: storageOptions) {
            sdConnection in
            let link = try await StorageLink.open(
                sdConnection, directorName: director, password: storage.password, jobID: jobID, service: service,
                runtime: runtime, messages: messagesName, tls: storage.tls, host: storage.address)
            let spoolData = request.spoolData ?? resource.spoolData
            let start = JobStartCommand(
                jobID: UInt32(jobID), job: row.job, jobName: resource.name, clientName: client.name, type: .backup,
                level: JobLevel(Character(level)), fileSet: fileSet.name, noAttributes: !pool.catalogFiles,
                spoolAttributes: resource.spoolAttributes ?? true, fileSetMD5: fileSetMD5, spoolData: spoolData,
                preferMountedVolumes: resource.preferMountedVolumes, spoolSize: resource.spoolSize)
            let session = try await link.startJob(start)
            timeline("SD accepted the job", since: origin)
            outcome.sessionID = Int64(session.sessionID)
            outcome.sessionTime = Int64(session.sessionTime)
            var sessionRow = row
            sessionRow.sessionID = outcome.sessionID
            sessionRow.sessionTime = outcome.sessionTime
            try runtime.catalog.startJob(sessionRow)
            let use = UseStorageCommand(
                storage: storage.name, mediaType: storage.mediaType, poolName: pool.name,
                poolType: pool.definition.poolType, append: true)
            let device = try await link.reserve(use, devices: storage.devices.isEmpty ? [storage.name] : storage.devices)
            say("\(director) JobId \(jobID): Using Device \"\(device)\" to write.\n")
            try await link.run()
            timeline("SD run sent (device \(device))", since: origin)
            let cancelSD = sdConnection.closer
            runtime.jobs.update(jobID: jobID)
            async let storageEnd = link.serveUntilEnd()
            var fdReport: FileDaemonLink.EndReport?
            var fdError: (any Error)?
            do {
                let result = try await runFileDaemon(
                    row: row, level: level, since: since, client: client, fileSet: fileSet, storage: storage,
                    session: session)
                fdReport = result.report
                outcome.uname = result.uname
            } catch {
                fdError = error
                cancelSD()
            }
            timeline("FD end report", since: origin)
            let sdReport = try? await storageEnd
            timeline("SD end report", since: origin)
            try await service.flush()
            timeline("attributes in the catalog (\(service.fileCount) entries)", since: origin)
            outcome.volumes = service.volumes
            if let fdError { throw fdError }
            guard let fdReport else { throw JobFailure("no report from the File daemon") }
            outcome.files = fdReport.files
            outcome.bytes = fdReport.bytes
            outcome.readBytes = fdReport.readBytes
            outcome.errors = fdReport.errors
            let fdStatus = Character(UnicodeScalar(UInt8(clamping: fdReport.termCode)))
            let sdStatus = sdReport?.status.character ?? "E"
            outcome.storageFiles = Int64(sdReport?.jobFiles ?? 0)
            outcome.storageBytes = Int64(sdReport?.jobBytes ?? 0)
            outcome.fileDaemonStatus = JobReport.statusText(String(fdStatus))
            outcome.storageStatus = JobReport.statusText(String(sdStatus))
            if fdStatus == "T" && sdStatus == "T" {
                outcome.status = fdReport.errors > 0 ? "W" : "T"
            } else if fdStatus == "A" || sdStatus == "A" {
                outcome.status = "A"
            } else {
                outcome.status = "E"
            }
            return outcome
        }
    }

    private func runFileDaemon(
        row: JobRow, level: String, since: JobRow?, client: DirectorConfiguration.Client,
        fileSet: DirectorConfiguration.FileSet, storage: DirectorConfiguration.Storage,
        session: (sessionID: UInt32, sessionTime: UInt32, key: String)
    ) async throws -> (report: FileDaemonLink.EndReport, uname: String) {
        let runtime = self.runtime
        let jobID = self.jobID
        let messagesName = resource.messages
        var options = runtime.connectionOptions
        options.heartbeatInterval = client.heartbeatInterval > 0 ? .seconds(client.heartbeatInterval) : nil
        runtime.jobs.update(jobID: jobID, status: "R")
        return try await BsockClient.withConnection(host: client.address, port: client.port, options: options) { connection in
            runtime.jobs.setCancel(jobID: jobID, connection.closer)
                _ = try await FileDaemonLink.authenticate(
                    connection, directorName: director, password: client.password, tls: client.tls, host: client.address)
            let fd = FileDaemonLink(
                connection: connection,
                onMessage: { type, text in runtime.say(text, type: type, jobID: jobID, messages: messagesName) })
            let uname = try await fd.identify(
                jobID: jobID, job: row.job, sessionID: session.sessionID, sessionTime: session.sessionTime,
                key: session.key)
            _ = try? runtime.catalog.ensureClient(
                name: client.name, uname: uname, autoPrune: client.autoPrune, fileRetention: client.fileRetention,
                jobRetention: client.jobRetention)
            let kind: LevelLine.Kind
            switch level {
            case "I": kind = .incremental
            case "D": kind = .differential
            case "B": kind = .base
            default: kind = .full
            }
            try await fd.level(
                LevelLine(kind: kind, accurate: resource.accurate), since: since?.startTime, previousJob: since?.job)
            try await fd.fileSet(FileSetEncoding.lines(fileSet), vss: fileSet.enableVSS)
            // the Job's Maximum Bandwidth, else the Client's Maximum Bandwidth Per Job (bacula-dir's order)
            let bandwidth = resource.maximumBandwidth > 0 ? resource.maximumBandwidth : client.maximumBandwidthPerJob
            if bandwidth > 0 { try await fd.setBandwidth(bandwidth, job: row.job) }
            try await fd.runScripts(resource.scripts.filter { $0.runsOnClient && $0.when != .never && !$0.isConsoleCommand })
            try await fd.storage(
                address: storage.fileDaemonAddress ?? storage.address, port: storage.port, key: nil, ssl: storage.tls.announced)
            if resource.accurate && level != "F" {
                say("\(director) JobId \(jobID): Sending Accurate information to the FD.\n")
                let chain = try accurateChain(clientID: row.clientID, fileSetID: row.fileSetID, level: level)
                let files = try runtime.catalog.files(jobIDs: chain).map {
                    (name: $0.path + $0.name, lstat: $0.lstat, digest: $0.digest, delta: Int64(0))
                }
                try await fd.accurate(files)
            }
            try await fd.backup()
            let end = try await connection.withHeartbeats { try await fd.waitForEnd() }
            return (end, uname)
        }
    }

    /// The jobs whose files the FD compares against: for an Incremental the current chain, for a Differential
    /// the last Full.
    private func accurateChain(clientID: Int64, fileSetID: Int64, level: String) throws -> [Int64] {
        let chain = try runtime.catalog.currentBackupChain(clientID: clientID, fileSetName: request.fileSet ?? resource.fileSet)
        return level == "D" ? Array(chain.prefix(1)) : chain
    }

    /// Writes the job's bootstrap to `path`, or pipes it into the command after a leading `|` (no shell:
    /// `ProgramArguments`; at most 60 s); a failure is a warning in the job log.
    private func writeBootstrap(path: String, job: JobRow) async {
        var row = job
        if row.clientName.isEmpty { row.clientName = request.client ?? resource.client }
        if row.name.isEmpty { row.name = resource.name }
        let codes = DirectorJobCodes(
            directorName: director, jobID: jobID, job: row, volumeNames: (try? runtime.catalog.volumeNames(jobID: jobID)) ?? [],
            processID: getpid())
        let expanded = codes.expand(path, recipients: "")
        do {
            let media = try runtime.catalog.jobMedia(jobIDs: [jobID])
            let storageName = request.storage ?? resource.storage.first ?? ""
            let text = BootstrapBuilder.text(
                jobs: [job], media: media, selected: nil, storage: storageName, device: nil)
            if expanded.hasPrefix("|") {
                let completion = try await Subprocess.runDetached(
                    try ProgramArguments.argv(String(expanded.dropFirst())), input: Array(text.utf8), timeout: .seconds(60),
                    limit: 65_536, mergeErrors: true, threadName: "capstan.write-bootstrap")
                if completion.exit != ChildExit(status: 0, signalled: false) || completion.timedOut {
                    let ending = completion.timedOut ? "did not end within 60 s" : "ended with \(completion.exit)"
                    say(
                        "\(director) JobId \(jobID): Warning: the bootstrap command \(expanded) \(ending): \(completion.outputText)\n",
                        type: "warning")
                }
            } else {
                try text.write(toFile: expanded, atomically: true, encoding: .utf8)
            }
        } catch {
            say("\(director) JobId \(jobID): Warning: could not write the bootstrap \(expanded): \(error)\n", type: "warning")
        }
    }

    private func endReport(row: JobRow, outcome: Outcome, start: Int64, end: Int64) -> String {
        let elapsed = max(end - start, 1)
        let status = outcome.status
        let termination: String
        switch status {
        case "T": termination = "Backup OK"
        case "W": termination = "Backup OK -- with warnings"
        case "A": termination = "Backup Canceled"
        default: termination = "*** Backup Error ***"
        }
        var text = "\(director) JobId \(jobID): Bacula \(director) 9.6.7 (10Dec20):\n"
        text += JobReport.line("Build OS", "x86_64-pc-linux-gnu debian bookworm/sid")
        text += JobReport.line("JobId", String(jobID))
        text += JobReport.line("Job", row.job)
        text += JobReport.line("Backup Level", outcome.levelText)
        text += JobReport.line("Client", "\"\(outcome.client?.name ?? "")\" \(outcome.uname)")
        text += JobReport.line("FileSet", "\"\(outcome.fileSet.0)\" \(CatalogTime.text(outcome.fileSet.1))")
        text += JobReport.line("Pool", "\"\(outcome.pool)\" (From Job resource)")
        text += JobReport.line("Catalog", "\"\(configuration.catalogName)\" (From Client resource)")
        text += JobReport.line("Storage", "\"\(outcome.storage)\" (From Job resource)")
        text += JobReport.line("Scheduled time", JobReport.longTime(row.scheduledTime > 0 ? row.scheduledTime : start))
        text += JobReport.line("Start time", JobReport.longTime(start))
        text += JobReport.line("End time", JobReport.longTime(end))
        text += JobReport.line("Elapsed time", JobReport.elapsed(elapsed))
        text += JobReport.line("Priority", String(request.priority ?? resource.priority))
        text += JobReport.line("FD Files Written", JobReport.commas(outcome.files))
        text += JobReport.line("SD Files Written", JobReport.commas(outcome.storageFiles))
        text += JobReport.line("FD Bytes Written", "\(JobReport.commas(outcome.bytes)) (\(JobReport.suffixed(outcome.bytes)))")
        text += JobReport.line(
            "SD Bytes Written", "\(JobReport.commas(outcome.storageBytes)) (\(JobReport.suffixed(outcome.storageBytes)))")
        text += JobReport.line("Rate", String(format: "%.1f KB/s", Double(outcome.bytes) / Double(elapsed) / 1000))
        text += JobReport.line("Software Compression", "None")
        text += JobReport.line("Comm Line Compression", "None")
        text += JobReport.line("Snapshot/VSS", "no")
        text += JobReport.line("Encryption", "no")
        text += JobReport.line("Accurate", outcome.accurate ? "yes" : "no")
        text += JobReport.line("Volume name(s)", outcome.volumes.joined(separator: "|"))
        text += JobReport.line("Volume Session Id", String(outcome.sessionID))
        text += JobReport.line("Volume Session Time", String(outcome.sessionTime))
        let lastBytes = (outcome.volumes.last.flatMap { try? runtime.catalog.media(named: $0) })?.volumeBytes ?? 0
        text += JobReport.line("Last Volume Bytes", "\(JobReport.commas(lastBytes)) (\(JobReport.suffixed(lastBytes)))")
        text += JobReport.line("Non-fatal FD errors", String(outcome.errors))
        text += JobReport.line("SD Errors", "0")
        text += JobReport.line("FD termination status", outcome.fileDaemonStatus)
        text += JobReport.line("SD termination status", outcome.storageStatus)
        text += JobReport.line("Termination", termination)
        return text + "\n"
    }
}
