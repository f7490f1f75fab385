import BaculaWire
import Catalog
import Foundation
import Net
import StorageProtocol

/// The console commands: dispatch by the first word (any unique prefix is not accepted: names are exact, as in
/// Bacula's command table), the Command ACL, and the simple commands. Larger ones live in their own files.
enum ConsoleCommands {
    typealias Handler = @Sendable (ConsoleArguments, String, ConsoleSession) async throws -> Void

    static let table: [String: Handler] = [
        "version": { _, _, s in try await version(s) },
        "status": { a, _, s in try await StatusCommand.execute(a, s) },
        "messages": { _, _, s in try await messages(s) },
        ".messages": { _, _, s in try await messages(s) },
        "show": { a, _, s in try await show(a, s) },
        "reload": { _, _, s in try await reload(s) },
        "run": { a, _, s in try await RunCommand.execute(a, s) },
        "wait": { a, _, s in try await wait(a, s) },
        "cancel": { a, _, s in try await cancel(a, s) },
        "list": { a, _, s in try await ListCommand.execute(a, s, long: false) },
        "llist": { a, _, s in try await ListCommand.execute(a, s, long: true) },
        "label": { a, _, s in try await VolumeCommands.label(a, s) },
        "update": { a, _, s in try await VolumeCommands.update(a, s) },
        "delete": { a, _, s in try await VolumeCommands.delete(a, s) },
        "purge": { a, _, s in try await VolumeCommands.purge(a, s) },
        "prune": { a, _, s in try await VolumeCommands.prune(a, s) },
        "mount": { a, _, s in try await VolumeCommands.device("mount", a, s) },
        "unmount": { a, _, s in try await VolumeCommands.device("unmount", a, s) },
        "release": { a, _, s in try await VolumeCommands.device("release", a, s) },
        "restore": { a, _, s in try await RestoreCommand.execute(a, s) },
        "estimate": { a, _, s in try await RunCommand.estimate(a, s) },
        ".api": { a, _, s in try await api(a, s) },
        ".jobs": { _, _, s in try await names(s.visible("Job ACL", s.runtime.configuration.jobs.map(\.name)), s) },
        ".clients": { _, _, s in try await names(s.visible("Client ACL", s.runtime.configuration.clients.map(\.name)), s) },
        ".pools": { _, _, s in try await names(s.visible("Pool ACL", s.runtime.configuration.pools.map(\.name)), s) },
        ".storage": { _, _, s in try await names(s.visible("Storage ACL", s.runtime.configuration.storages.map(\.name)), s) },
        ".filesets": { _, _, s in try await names(s.visible("FileSet ACL", s.runtime.configuration.fileSets.map(\.name)), s) },
        ".msgs": { _, _, s in try await names(s.runtime.configuration.messages.map(\.name), s) },
        "help": { _, _, s in try await help(s) },
        "use": { _, _, s in try await s.send("Using Catalog name=\(s.runtime.configuration.catalogName)\n") },
    ]

    static func execute(_ arguments: ConsoleArguments, line: String, session: ConsoleSession) async throws {
        guard let handler = table[arguments.command] else {
            try await session.error("\(arguments.command): is an invalid command.")
            return
        }
        guard session.allows("Command ACL", arguments.command) else {
            try await session.error("\(arguments.command): is an invalid command.")
            session.runtime.logger.warning(
                "console command refused by its Command ACL",
                metadata: ["console": "\(session.console?.name ?? "")", "command": "\(arguments.command)"])
            return
        }
        do {
            try await handler(arguments, line, session)
        } catch let error as CatalogError {
            try await session.error("Catalog error: \(error)")
        } catch let error as ConsoleInputError {
            try await session.error(error.description)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            session.runtime.logger.error("console command \(arguments.command) failed: \(error)")
            try await session.error("\(arguments.command) failed: \(error)")
        }
    }

    static func version(_ session: ConsoleSession) async throws {
        try await session.send("\(session.runtime.configuration.director.name) Version: \(DirectorIdentity.versionText) (\(DirectorIdentity.date)) x86_64-pc-linux-gnu debian bookworm/sid\n")
    }

    static func messages(_ session: ConsoleSession) async throws {
        let queued = session.runtime.messages.takeConsoleMessages()
        if queued.isEmpty {
            try await session.send("You have no messages.\n")
            return
        }
        for message in queued { try await session.send(message) }
    }

    static func wait(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        if let text = arguments.value("jobid") {
            guard let jobID = Int64(text) else { throw ConsoleInputError("Invalid JobId \"\(text)\".") }
            await runtime.jobs.wait(jobID: jobID)
            guard let job = try runtime.catalog.job(id: jobID) else {
                throw ConsoleInputError("JobId \(jobID) not found in the catalog.")
            }
            try await session.send("JobId=\(jobID)\nJobStatus=\(JobReport.statusText(job.status)) (\(job.status))\n")
            return
        }
        if let name = arguments.value("job") ?? arguments.value("jobname") {
            while let entry = runtime.jobs.running.first(where: { $0.name == name || $0.job == name }) {
                await runtime.jobs.wait(jobID: entry.jobID)
            }
            return
        }
        await runtime.jobs.waitForAll()
    }

    static func cancel(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        var target: JobRegistry.Entry?
        if let text = arguments.value("jobid"), let jobID = Int64(text) {
            target = runtime.jobs.entry(jobID: jobID)
        } else if let name = arguments.value("job") ?? arguments.value("ujobid") {
            target = runtime.jobs.running.first { $0.job == name || $0.name == name }
        } else {
            let running = runtime.jobs.running
            guard !running.isEmpty else {
                try await session.send("No Jobs running.\n")
                return
            }
            let chosen = try await session.select(
                "Select Job:", running.map { "JobId=\($0.jobID) Job=\($0.job)" }, question: "Choose Job to cancel")
            target = running.first { chosen == "JobId=\($0.jobID) Job=\($0.job)" }
        }
        guard let target else { throw ConsoleInputError("Job not found or not running.") }
        guard session.allows("Job ACL", target.name) else { throw ConsoleInputError("Job not found or not running.") }
        runtime.cancel(jobID: target.jobID)
        try await session.send("JobId \(target.jobID), Job \(target.job) marked to be canceled.\n")
    }

    static func reload(_ session: ConsoleSession) async throws {
        if let problem = session.runtime.reload() {
            try await session.error("reload failed, the configuration in force is kept:\n\(problem)")
        }
    }

    static func api(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        session.apiMode = Int(arguments.firstKeyword ?? "1") ?? 1
    }

    static func names(_ list: [String], _ session: ConsoleSession) async throws {
        for name in list { try await session.send(name + "\n") }
    }

    static func help(_ session: ConsoleSession) async throws {
        var text = "  Command       Description\n  =======       ===========\n"
        for name in table.keys.sorted() where !name.hasPrefix(".") {
            text += "  " + name.padding(toLength: 13, withPad: " ", startingAt: 0) + " \n"
        }
        try await session.send(text)
    }

    static func show(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let configuration = session.runtime.configuration
        let what = arguments.firstKeyword ?? "all"
        var text = ""
        if what.hasPrefix("pool") || what == "all" {
            for pool in configuration.pools where session.allows("Pool ACL", pool.name) {
                let d = pool.definition
                text += "Pool: name=\(pool.name) PoolType=\(d.poolType)\n"
                text += "      use_cat=\(d.useCatalog ? 1 : 0) use_once=\(d.useOnce ? 1 : 0) cat_files=\(pool.catalogFiles ? 1 : 0)\n"
                text += "      max_vols=\(d.maximumVolumes) auto_prune=\(d.autoPrune ? 1 : 0) VolRetention=\(d.volumeRetention) secs\n"
                text += "      VolUse=\(d.volumeUseDuration) secs recycle=\(d.recycle ? 1 : 0) LabelFormat=\(d.labelFormat)\n"
                text += "      MaxVolJobs=\(d.maximumVolumeJobs) MaxVolFiles=\(d.maximumVolumeFiles) MaxVolBytes=\(d.maximumVolumeBytes)\n"
            }
        }
        if what.hasPrefix("job") || what == "all" {
            for job in configuration.jobs where session.allows("Job ACL", job.name) {
                text += "Job: name=\(job.name) JobType=\(job.type) level=\(job.level) Priority=\(job.priority) Enabled=\(job.enabled ? 1 : 0)\n"
                text += "  --> Client: name=\(job.client)\n  --> FileSet: name=\(job.fileSet)\n  --> Pool: name=\(job.pool)\n"
                if !job.storage.isEmpty { text += "  --> Storage: name=\(job.storage.joined(separator: ","))\n" }
            }
        }
        if what.hasPrefix("client") || what == "all" {
            for client in configuration.clients where session.allows("Client ACL", client.name) {
                text += "Client: Name=\(client.name) Enabled=1 Address=\(client.address) FDport=\(client.port) MaxJobs=\(client.maximumConcurrentJobs)\n"
                text += "      JobRetention=\(client.jobRetention) secs FileRetention=\(client.fileRetention) secs AutoPrune=\(client.autoPrune ? 1 : 0)\n"
            }
        }
        if what.hasPrefix("stor") || what == "all" {
            for storage in configuration.storages where session.allows("Storage ACL", storage.name) {
                text += "Storage: name=\(storage.name) address=\(storage.address) SDport=\(storage.port) MaxJobs=\(storage.maximumConcurrentJobs)\n"
                text += "      DeviceName=\(storage.devices.joined(separator: ",")) MediaType=\(storage.mediaType) Autochanger=\(storage.autochanger ? 1 : 0)\n"
            }
        }
        if what.hasPrefix("fileset") || what == "all" {
            for fileSet in configuration.fileSets where session.allows("FileSet ACL", fileSet.name) {
                text += "FileSet: name=\(fileSet.name)\n"
                for line in FileSetEncoding.lines(fileSet) { text += "      " + line.trimmingCharacters(in: .newlines) + "\n" }
            }
        }
        if what.hasPrefix("sched") || what == "all" {
            for schedule in configuration.schedules {
                text += "Schedule: Name=\(schedule.name) Enabled=\(schedule.enabled ? 1 : 0)\n"
                for run in schedule.runs {
                    text += "  --> Run " + run.overrides.map { "\($0.name)=\($0.value)" }.joined(separator: " ") + " "
                        + run.when.joined(separator: " ") + "\n"
                }
            }
        }
        if what.hasPrefix("dir") || what == "all" {
            let d = configuration.director
            text = "Director: name=\(d.name) MaxJobs=\(d.maximumConcurrentJobs) FDtimeout=\(d.fileDaemonConnectTimeout) SDtimeout=1800\n" + text
        }
        if text.isEmpty { throw ConsoleInputError("Keywords for the show command are: directors clients jobs storages schedules pools filesets messages all") }
        try await session.send(text)
    }
}

/// The Director's version as it announces it.
enum DirectorIdentity {
    static let protocolVersion = 103
    static let versionText = "9.6.7"
    static let date = "10 December 2020"
}

/// Input the console cannot act on; the text is shown to the user.
struct ConsoleInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
