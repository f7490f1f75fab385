import Catalog
import Foundation

/// `list` / `llist`: jobs, jobid=, jobname=, media|volumes [pool=], pools, clients, files jobid=, joblog jobid=,
/// jobmedia — as tables, `Name: value` blocks (llist) or JSON (`.api 2`).
enum ListCommand {
    static func execute(_ arguments: ConsoleArguments, _ session: ConsoleSession, long: Bool) async throws {
        let catalog = session.runtime.catalog
        let what = arguments.firstKeyword ?? ""
        func show(_ headers: [String], _ rows: [[String]]) async throws {
            if session.apiMode >= 2 {
                try await session.send(ConsoleTable.json(headers, rows))
            } else if rows.isEmpty {
                try await session.send("No results to list.\n")
            } else {
                try await session.send(long ? ConsoleTable.long(headers, rows) : ConsoleTable.render(headers, rows))
            }
        }
        func jobID(_ keyword: String = "jobid") throws -> Int64 {
            guard let text = arguments.value(keyword), let id = Int64(text) else {
                throw ConsoleInputError("\(keyword)=<number> is required.")
            }
            return id
        }
        func visibleJobs(_ jobs: [JobRow]) -> [JobRow] {
            jobs.filter { session.allows("Job ACL", $0.name) && ($0.clientName.isEmpty || session.allows("Client ACL", $0.clientName)) }
        }
        switch what {
        case "jobs", "jobid", "jobname", "job", "":
            var jobs: [JobRow]
            if what == "jobid" || arguments.value("jobid") != nil {
                jobs = try [catalog.job(id: try jobID())].compactMap { $0 }
            } else {
                let name = arguments.value("jobname") ?? arguments.value("job")
                let limit = arguments.value("limit").flatMap(Int.init)
                jobs = try catalog.jobs(name: name, clientName: arguments.value("client"), limit: limit)
            }
            if let status = arguments.value("jobstatus") { jobs = jobs.filter { $0.status == status } }
            jobs = visibleJobs(jobs)
            if long {
                try await show(
                    [
                        "JobId", "Job", "Name", "PurgedFiles", "Type", "Level", "ClientId", "ClientName", "JobStatus",
                        "SchedTime", "StartTime", "EndTime", "RealEndTime", "JobTDate", "VolSessionId",
                        "VolSessionTime", "JobFiles", "JobBytes", "ReadBytes", "JobErrors", "JobMissingFiles", "PoolId",
                        "PoolName", "PriorJobId", "FileSetId", "FileSet", "HasBase", "HasCache", "Comment",
                    ],
                    jobs.map {
                        [
                            String($0.jobID), $0.job, $0.name, String($0.purgedFiles), $0.type, $0.level,
                            String($0.clientID), $0.clientName, $0.status, CatalogTime.text($0.scheduledTime),
                            CatalogTime.text($0.startTime), CatalogTime.text($0.endTime), CatalogTime.text($0.realEndTime),
                            String($0.jobTDate), String($0.sessionID), String($0.sessionTime), String($0.files),
                            String($0.bytes), String($0.readBytes), String($0.errors), "0", String($0.poolID), $0.poolName,
                            String($0.priorJobID), String($0.fileSetID), $0.fileSetName, String($0.hasBase), "0", "",
                        ]
                    })
            } else {
                try await show(
                    ["JobId", "Name", "StartTime", "Type", "Level", "JobFiles", "JobBytes", "JobStatus"],
                    jobs.map {
                        [
                            String($0.jobID), $0.name, CatalogTime.text($0.startTime), $0.type, $0.level, String($0.files),
                            String($0.bytes), $0.status,
                        ]
                    })
            }
        case "media", "volumes", "volume":
            let pools = session.runtime.configuration.pools.map(\.name).filter { session.allows("Pool ACL", $0) }
            let chosen = arguments.value("pool").map { [$0] } ?? pools
            let headers = [
                "MediaId", "VolumeName", "VolStatus", "Enabled", "VolBytes", "VolFiles", "VolRetention", "Recycle", "Slot",
                "InChanger", "MediaType", "VolType", "VolParts", "LastWritten", "ExpiresIn",
            ]
            var all: [[String]] = []
            for pool in chosen {
                var volumes = try catalog.media(poolName: pool)
                if let name = arguments.value("volume") { volumes = volumes.filter { $0.volumeName == name } }
                let rows = volumes.map { m -> [String] in
                    let expires = m.lastWritten > 0 ? max(0, m.lastWritten + m.volumeRetention - CatalogTime.now()) : m.volumeRetention
                    return [
                        String(m.mediaID), m.volumeName, m.volumeStatus, String(m.enabled), String(m.volumeBytes),
                        String(m.volumeFiles), String(m.volumeRetention), String(m.recycle), String(m.slot),
                        String(m.inChanger), m.mediaType, String(m.volumeType), String(m.volumeParts),
                        CatalogTime.text(m.lastWritten), String(expires),
                    ]
                }
                if session.apiMode >= 2 {
                    all += rows
                } else {
                    try await session.send("Pool: \(pool)\n")
                    try await show(headers, rows)
                }
            }
            if session.apiMode >= 2 { try await session.send(ConsoleTable.json(headers, all)) }
        case "pools", "pool":
            let result = try catalog.rows(
                sql: "SELECT PoolId, Name, NumVols, MaxVols, PoolType, LabelFormat FROM Pool ORDER BY PoolId")
            try await show(result.columns, result.rows.filter { session.allows("Pool ACL", $0[1]) })
        case "clients", "client":
            let result = try catalog.rows(
                sql: "SELECT ClientId, Name, Uname, AutoPrune, FileRetention, JobRetention FROM Client ORDER BY ClientId")
            try await show(result.columns, result.rows.filter { session.allows("Client ACL", $0[1]) })
        case "files":
            let id = try jobID()
            guard let job = try catalog.job(id: id), visibleJobs([job]).count == 1 else {
                throw ConsoleInputError("JobId \(id) not found.")
            }
            let result = try catalog.rows(
                sql: """
                    SELECT Path.Path || Filename.Name AS Filename FROM File JOIN Path ON Path.PathId = File.PathId
                    JOIN Filename ON Filename.FilenameId = File.FilenameId WHERE File.JobId = ? ORDER BY File.FileIndex
                    """, arguments: [String(id)])
            try await show(["Filename"], result.rows)
        case "joblog":
            let id = try jobID()
            guard let job = try catalog.job(id: id), visibleJobs([job]).count == 1 else {
                throw ConsoleInputError("JobId \(id) not found.")
            }
            let log = try catalog.log(jobID: id)
            try await show(["Time", "LogText"], log.map { [CatalogTime.text($0.time), $0.text] })
        case "jobmedia":
            var sql = """
                SELECT JobMedia.JobId, Media.VolumeName, JobMedia.FirstIndex, JobMedia.LastIndex FROM JobMedia
                JOIN Media ON Media.MediaId = JobMedia.MediaId
                """
            var parameters: [String] = []
            if let id = arguments.value("jobid") {
                sql += " WHERE JobMedia.JobId = ?"
                parameters.append(id)
            }
            let result = try catalog.rows(sql: sql + " ORDER BY JobMedia.JobMediaId", arguments: parameters)
            try await show(["JobId", "VolumeName", "FirstIndex", "LastIndex"], result.rows)
        default:
            throw ConsoleInputError("Unknown list keyword: \(what)")
        }
    }
}
