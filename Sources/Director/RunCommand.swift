import Catalog
import FileDaemonProtocol
import Foundation
import Net

/// `run job=… [level= client= storage= pool= fileset= when= priority= spooldata=] [yes]` with the
/// "OK to run? (yes/mod/no)" question, and `estimate`.
enum RunCommand {
    static func execute(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let configuration = session.runtime.configuration
        var jobName = arguments.value("job") ?? arguments.value("jobname")
        if jobName == nil {
            jobName = try await session.select(
                "A job name must be specified.\nThe defined Job resources are:",
                session.visible("Job ACL", configuration.jobs.map(\.name)), question: "Select Job resource")
            guard jobName != nil else { return }
        }
        guard let name = jobName, let resource = configuration.job(name), session.allows("Job ACL", resource.name) else {
            throw ConsoleInputError("Job \"\(jobName ?? "")\" not found.")
        }
        var request = JobRequest(jobName: resource.name)
        if let level = arguments.value("level") {
            guard let letter = JobRequest.levelLetter(level) else { throw ConsoleInputError("Level \"\(level)\" not valid.") }
            request.level = letter
        }
        for (keyword, acl) in [("client", "Client ACL"), ("storage", "Storage ACL"), ("pool", "Pool ACL"), ("fileset", "FileSet ACL")] {
            guard let value = arguments.value(keyword) else { continue }
            let exists: Bool
            switch keyword {
            case "client": exists = configuration.client(value) != nil
            case "storage": exists = configuration.storage(value) != nil
            case "pool": exists = configuration.pool(value) != nil
            default: exists = configuration.fileSet(value) != nil
            }
            guard exists, session.allows(acl, value) else {
                throw ConsoleInputError("\(keyword.capitalized) \"\(value)\" not found.")
            }
            switch keyword {
            case "client": request.client = value
            case "storage": request.storage = value
            case "pool": request.pool = value
            default: request.fileSet = value
            }
        }
        if let priority = arguments.value("priority") {
            guard let number = Int(priority), number > 0 else { throw ConsoleInputError("Priority must be a positive integer.") }
            request.priority = number
        }
        if let spool = arguments.value("spooldata") { request.spoolData = ["yes", "1", "true"].contains(spool.lowercased()) }
        if let when = arguments.value("when") {
            let seconds = CatalogTime.seconds(when.count == 16 ? when + ":00" : when)
            guard seconds > 0 else { throw ConsoleInputError("Invalid time \"\(when)\", using YYYY-MM-DD HH:MM:SS.") }
            request.when = seconds
        }
        try await session.send("Using Catalog \"\(configuration.catalogName)\"\n")
        var job = resource
        while !arguments.has("yes") {
            let level = JobReport.levelName(request.level ?? JobRequest.levelLetter(job.level) ?? "F")
            var text = "Run \(job.type) job\n"
            text += "JobName:  \(job.name)\nLevel:    \(level)\n"
            text += "Client:   \(request.client ?? job.client)\nFileSet:  \(request.fileSet ?? job.fileSet)\n"
            text += "Pool:     \(request.pool ?? job.pool) (From \(request.pool == nil ? "Job resource" : "User input"))\n"
            text += "Storage:  \(request.storage ?? job.storage.first ?? "") (From \(request.storage == nil ? "Job resource" : "User input"))\n"
            text += "When:     \(CatalogTime.text(request.when ?? CatalogTime.now()))\n"
            text += "Priority: \(request.priority ?? job.priority)\n"
            try await session.send(text)
            let answer = try await session.prompt("OK to run? (yes/mod/no): ")?.lowercased() ?? "no"
            if answer.hasPrefix("y") { break }
            guard answer.hasPrefix("m") else {
                try await session.send("Job not run.\n")
                return
            }
            guard try await RunModification.modify(&request, job: &job, session) else {
                try await session.send("Job not run.\n")
                return
            }
        }
        let jobID = try session.runtime.queue(request)
        try await session.send("Job queued. JobId=\(jobID)\n")
    }

    /// `estimate job=… [level=] [client=] [fileset=] [listing]`: the FD counts what a backup would save.
    static func estimate(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        let configuration = runtime.configuration
        guard let name = arguments.value("job"), let resource = configuration.job(name), session.allows("Job ACL", resource.name)
        else { throw ConsoleInputError("Job \"\(arguments.value("job") ?? "")\" not found.") }
        guard let client = configuration.client(arguments.value("client") ?? resource.client),
            let fileSet = configuration.fileSet(arguments.value("fileset") ?? resource.fileSet)
        else { throw ConsoleInputError("Client or FileSet of job \"\(resource.name)\" not found.") }
        try await session.send("Using Catalog \"\(configuration.catalogName)\"\n")
        try await session.send("Connecting to Client \(client.name) at \(client.address):\(client.port)\n")
        let listing = arguments.has("listing")
        let director = configuration.director.name
        let consoleJob = runtime.uniqueJobName("-Console-", at: CatalogTime.now())
        var lines: [String] = []
        let summary: String = try await BsockClient.withConnection(
            host: client.address, port: client.port, options: runtime.connectionOptions
        ) { connection in
            _ = try await FileDaemonLink.authenticate(
                connection, directorName: director, password: client.password, tls: client.tls, host: client.address)
            let fd = FileDaemonLink(connection: connection, onMessage: { _, _ in })
            _ = try await fd.identify(jobID: 0, job: consoleJob, sessionID: 0, sessionTime: 0, key: "dummy")
            try await fd.level(LevelLine(kind: .full), since: nil, previousJob: nil)
            try await fd.fileSet(FileSetEncoding.lines(fileSet), vss: fileSet.enableVSS)
            let collected = LineCollector()
            let result = try await fd.estimate(listing: listing) { collected.append($0) }
            lines = collected.lines
            try await connection.write(.signal(.terminate))
            return result
        }
        for line in lines { try await session.send(line) }
        try await session.send(summary)
    }
}

/// Lines gathered from a callback.
final class LineCollector: @unchecked Sendable {
    private(set) var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
