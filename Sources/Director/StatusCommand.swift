import BaculaWire
import CapstanConfig
import Catalog
import Foundation
import Net

/// `status dir` (header, Scheduled, Running and Terminated Jobs sections as 9.6 lays them out), and
/// `status client=` / `status storage=` relayed from the daemon.
enum StatusCommand {
    static func execute(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let configuration = session.runtime.configuration
        if let name = arguments.value("client") {
            guard let client = configuration.client(name), session.allows("Client ACL", client.name) else {
                throw ConsoleInputError("Client \"\(name)\" not found.")
            }
            try await session.send("Connecting to Client \(client.name) at \(client.address):\(client.port)\n\n")
            try await relay(
                host: client.address, port: client.port, password: client.password, tls: client.tls, fileDaemon: true, session)
            return
        }
        if let name = arguments.value("storage") {
            guard let storage = configuration.storage(name), session.allows("Storage ACL", storage.name) else {
                throw ConsoleInputError("Storage \"\(name)\" not found.")
            }
            try await session.send("Connecting to Storage daemon \(storage.name) at \(storage.address):\(storage.port)\n\n")
            try await relay(
                host: storage.address, port: storage.port, password: storage.password, tls: storage.tls, fileDaemon: false,
                session)
            return
        }
        let what = arguments.firstKeyword ?? "dir"
        guard ["dir", "director", "all"].contains(what) else {
            throw ConsoleInputError("Status command needs dir, client=<name> or storage=<name>.")
        }
        if session.apiMode >= 2 {
            try await session.send(try jsonStatus(session))
            return
        }
        try await session.send(try directorStatus(session))
    }

    static func directorStatus(_ session: ConsoleSession) throws -> String {
        let runtime = session.runtime
        let configuration = runtime.configuration
        let started = MessageRouter.stamp(runtime.startTime).trimmingCharacters(in: .whitespaces)
        let running = runtime.jobs.running
        var text = "\(configuration.director.name) Version: \(DirectorIdentity.versionText) (\(DirectorIdentity.date)) x86_64-pc-linux-gnu debian bookworm/sid\n"
        text += "Daemon started \(started)\n"
        text += " Jobs: run=\(runtime.jobs.finished.count), running=\(running.count) mode=0,0\n"
        text += " Res: njobs=\(configuration.jobs.count) nclients=\(configuration.clients.count) nstores=\(configuration.storages.count) "
            + "npools=\(configuration.pools.count) ncats=1 nfsets=\(configuration.fileSets.count) nscheds=\(configuration.schedules.count)\n"
        text += "\nScheduled Jobs:\nLevel          Type     Pri  Scheduled          Job Name           Volume\n"
        text += String(repeating: "=", count: 83) + "\n"
        let upcoming = Scheduler.upcoming(configuration, from: CatalogTime.now(), hours: 24)
        if upcoming.isEmpty {
            text += "No Scheduled Jobs.\n"
        } else {
            for item in upcoming.prefix(20) {
                let level = JobReport.levelName(item.level).padding(toLength: 14, withPad: " ", startingAt: 0)
                text += "\(level) Backup    \(String(format: "%2d", item.priority))  \(shortTime(item.time))  \(item.job.padding(toLength: 18, withPad: " ", startingAt: 0)) \n"
            }
        }
        text += "====\n\nRunning Jobs:\n"
        if running.isEmpty {
            text += "No Jobs running.\n"
        } else {
            text += " JobId  Type Level     Files     Bytes  Name              Status\n"
            text += "======================================================================\n"
            for job in running {
                text += String(format: "%6d  %@    %@ ", Int(job.jobID), job.type, job.level)
                    + "        0         0  \(job.job) \(statusWords(job.status))\n"
            }
        }
        text += "====\n\nTerminated Jobs:\n JobId  Level      Files    Bytes   Status   Finished        Name \n"
        text += String(repeating: "=", count: 68) + "\n"
        for job in try runtime.catalog.jobs(limit: 10) where job.status != "R" && job.status != "C" {
            let level = job.type == "R" ? "Restore" : shortLevel(job.level)
            let files = String(job.files)
            let bytes = compactBytes(job.bytes)
            let status = job.status == "T" ? "OK" : job.status == "A" ? "Cancel" : job.status == "W" ? "OK -- with warnings" : "Error"
            text += String(repeating: " ", count: max(0, 6 - String(job.jobID).count)) + String(job.jobID) + "  "
                + level.padding(toLength: 7, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(0, 9 - files.count)) + files
                + String(repeating: " ", count: max(0, 11 - bytes.count)) + bytes + "   "
                + status.padding(toLength: 8, withPad: " ", startingAt: 0) + " " + shortTime(job.endTime) + " " + job.name + "\n"
        }
        text += "\n====\n"
        return text
    }

    static func jsonStatus(_ session: ConsoleSession) throws -> String {
        let running = session.runtime.jobs.running.map {
            ["jobid": String($0.jobID), "job": $0.job, "name": $0.name, "level": $0.level, "type": $0.type, "status": $0.status]
        }
        let terminated = try session.runtime.catalog.jobs(limit: 10).map {
            [
                "jobid": String($0.jobID), "job": $0.job, "name": $0.name, "level": $0.level, "type": $0.type,
                "status": $0.status, "jobfiles": String($0.files), "jobbytes": String($0.bytes),
            ]
        }
        func encode(_ list: [[String: String]]) -> String {
            let keys = list.first.map { Array($0.keys).sorted() } ?? []
            return String(ConsoleTable.json(keys, list.map { row in keys.map { row[$0] ?? "" } }).dropLast())
        }
        let header = "{\"name\":\"\(session.runtime.configuration.director.name)\",\"version\":\"\(DirectorIdentity.versionText)\""
        return header + ",\"running\":\(encode(running)),\"terminated\":\(encode(terminated))}\n"
    }

    static func statusWords(_ status: String) -> String {
        switch status {
        case "R": return "is running"
        case "C": return "is waiting execution"
        case "p": return "is waiting for higher priority jobs to finish"
        case "j": return "is waiting on max Job jobs"
        case "c": return "is waiting on max Client jobs"
        case "s": return "is waiting on max Storage jobs"
        case "F": return "is waiting on Client"
        case "S": return "is waiting on Storage"
        case "m": return "is waiting for a new Volume"
        case "M": return "is waiting for a mount"
        case "a": return "SD despooling Attributes"
        default: return "is running"
        }
    }

    static func shortLevel(_ level: String) -> String {
        switch level {
        case "F": return "Full"
        case "I": return "Incr"
        case "D": return "Diff"
        default: return level
        }
    }

    /// `300.0 K` as the terminated-jobs table prints bytes.
    static func compactBytes(_ bytes: Int64) -> String {
        if bytes < 1000 { return String(bytes) }
        let units = ["K", "M", "G", "T", "P"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// `02-Dec-26 06:38`.
    static func shortTime(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%02d-%@-%02d %02d:%02d", Int(parts.tm_mday), months[Int(parts.tm_mon)], Int(parts.tm_year) % 100,
            Int(parts.tm_hour), Int(parts.tm_min))
    }

    /// Connects to a daemon with the Director's credentials, sends `status` and copies its lines to the console.
    static func relay(
        host: String, port: Int, password: String, tls: TLSDirectives, fileDaemon: Bool, _ session: ConsoleSession
    ) async throws {
        let director = session.runtime.configuration.director.name
        let consoleJob = session.runtime.uniqueJobName("-Console-", at: CatalogTime.now())
        do {
            let lines: [String] = try await BsockClient.withConnection(
                host: host, port: port, options: session.runtime.connectionOptions
            ) { connection in
                if fileDaemon {
                    _ = try await FileDaemonLink.authenticate(
                        connection, directorName: director, password: password, tls: tls, host: host)
                    try await connection.write(.text("JobId=0 Job=\(consoleJob) SDid=0 SDtime=0 Authorization=dummy\n"))
                    guard let reply = try await connection.read(), case .payload(let bytes) = reply,
                        Line.starts(bytes, with: "2000 OK Job")
                    else { throw ConsoleInputError("the Client refused the status request") }
                } else {
                    try await StorageLink.authenticate(connection, directorName: director, password: password, tls: tls, host: host)
                }
                try await connection.write(.text("status"))
                var lines: [String] = []
                while let frame = try await connection.read() {
                    guard case .payload(let bytes) = frame else {
                        if frame.signal == .endOfData { break }
                        continue
                    }
                    lines.append(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self))
                }
                return lines
            }
            for line in lines { try await session.send(line) }
        } catch let error as ConsoleInputError {
            throw error
        } catch {
            throw ConsoleInputError("Failed to connect to \(fileDaemon ? "Client" : "Storage daemon") at \(host):\(port): \(error)")
        }
    }
}
