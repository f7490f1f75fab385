import GRDB

/// Job rows: created when a job starts, updated as it runs and ends; the since-time of Incremental/Differential.
extension CatalogDatabase {
    static let jobColumns = """
        Job.JobId, Job.Job, Job.Name, Job.Type, Job.Level, Job.ClientId, Job.JobStatus, Job.SchedTime, Job.StartTime,
        Job.EndTime, Job.RealEndTime, Job.JobTDate, Job.VolSessionId, Job.VolSessionTime, Job.JobFiles, Job.JobBytes,
        Job.ReadBytes, Job.JobErrors, Job.PoolId, Job.FileSetId, Job.PriorJobId, Job.PurgedFiles, Job.HasBase,
        COALESCE(Client.Name, ''), COALESCE(Pool.Name, ''), COALESCE(FileSet.FileSet, '')
        """
    static let jobJoins = """
        FROM Job LEFT JOIN Client ON Client.ClientId = Job.ClientId LEFT JOIN Pool ON Pool.PoolId = Job.PoolId
        LEFT JOIN FileSet ON FileSet.FileSetId = Job.FileSetId
        """

    static func jobRow(_ row: Row) -> JobRow {
        var job = JobRow()
        job.jobID = row[0]
        job.job = row[1]
        job.name = row[2]
        job.type = row[3]
        job.level = row[4]
        job.clientID = row[5] ?? 0
        job.status = row[6]
        job.scheduledTime = CatalogTime.seconds(row[7] as DatabaseValue)
        job.startTime = CatalogTime.seconds(row[8] as DatabaseValue)
        job.endTime = CatalogTime.seconds(row[9] as DatabaseValue)
        job.realEndTime = CatalogTime.seconds(row[10] as DatabaseValue)
        job.jobTDate = row[11] ?? 0
        job.sessionID = row[12] ?? 0
        job.sessionTime = row[13] ?? 0
        job.files = row[14] ?? 0
        job.bytes = row[15] ?? 0
        job.readBytes = row[16] ?? 0
        job.errors = row[17] ?? 0
        job.poolID = row[18] ?? 0
        job.fileSetID = row[19] ?? 0
        job.priorJobID = row[20] ?? 0
        job.purgedFiles = row[21] ?? 0
        job.hasBase = row[22] ?? 0
        job.clientName = row[23]
        job.poolName = row[24]
        job.fileSetName = row[25]
        return job
    }

    /// Inserts a new job (status as given, usually `C`) and returns its JobId.
    public func createJob(_ job: JobRow) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO Job (Job, Name, Type, Level, ClientId, JobStatus, SchedTime, JobTDate, PoolId,
                      FileSetId, PriorJobId) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    job.job, job.name, job.type, job.level, job.clientID, job.status,
                    CatalogTime.text(job.scheduledTime), job.jobTDate, job.poolID, job.fileSetID, job.priorJobID,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Writes a job's start: level (it may change Incremental → Full), start time, session, pool and file set.
    public func startJob(_ job: JobRow) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE Job SET JobStatus = ?, Level = ?, StartTime = ?, JobTDate = ?, VolSessionId = ?,
                      VolSessionTime = ?, PoolId = ?, FileSetId = ?, ClientId = ?, Job = ? WHERE JobId = ?
                    """,
                arguments: [
                    job.status, job.level, CatalogTime.text(job.startTime), job.jobTDate, job.sessionID,
                    job.sessionTime, job.poolID, job.fileSetID, job.clientID, job.job, job.jobID,
                ])
        }
    }

    /// Sets only the status letter.
    public func setJobStatus(jobID: Int64, status: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE Job SET JobStatus = ? WHERE JobId = ?", arguments: [status, jobID])
        }
    }

    /// Writes a job's end: status, end times, counters.
    public func finishJob(_ job: JobRow) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE Job SET JobStatus = ?, EndTime = ?, RealEndTime = ?, JobFiles = ?, JobBytes = ?,
                      ReadBytes = ?, JobErrors = ?, VolSessionId = ?, VolSessionTime = ?, Level = ? WHERE JobId = ?
                    """,
                arguments: [
                    job.status, CatalogTime.text(job.endTime), CatalogTime.text(job.realEndTime), job.files,
                    job.bytes, job.readBytes, job.errors, job.sessionID, job.sessionTime, job.level, job.jobID,
                ])
        }
    }

    /// One job by JobId.
    public func job(id: Int64) throws -> JobRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.jobColumns) \(Self.jobJoins) WHERE Job.JobId = ?", arguments: [id])
                .map(Self.jobRow)
        }
    }

    /// Jobs, newest last; optionally only one job name, one client, and at most `limit` of the newest.
    public func jobs(name: String? = nil, clientName: String? = nil, limit: Int? = nil) throws -> [JobRow] {
        try read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let name {
                conditions.append("Job.Name = ?")
                arguments.append(name)
            }
            if let clientName {
                conditions.append("Client.Name = ?")
                arguments.append(clientName)
            }
            let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            var sql = "SELECT \(Self.jobColumns) \(Self.jobJoins) \(condition) ORDER BY Job.JobId"
            if let limit {
                sql = "SELECT * FROM (SELECT \(Self.jobColumns) \(Self.jobJoins) \(condition) ORDER BY Job.JobId DESC "
                    + "LIMIT \(limit)) ORDER BY 1"
            }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.jobRow)
        }
    }

    /// The last successful backup of this job name, client and file set at one of `levels` (`F`, `D`, `I`):
    /// what an Incremental or Differential is relative to. Nil: none yet (the job is upgraded to Full).
    public func lastBackup(name: String, clientID: Int64, fileSetID: Int64, levels: [String]) throws -> JobRow? {
        try read { db in
            let placeholders = levels.map { _ in "?" }.joined(separator: ", ")
            var arguments: [any DatabaseValueConvertible] = [name, clientID, fileSetID]
            arguments += levels
            return try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.jobColumns) \(Self.jobJoins) WHERE Job.Type = 'B' AND Job.JobStatus IN ('T', 'W')
                      AND Job.Name = ? AND Job.ClientId = ? AND Job.FileSetId = ? AND Job.Level IN (\(placeholders))
                    ORDER BY Job.StartTime DESC, Job.JobId DESC LIMIT 1
                    """, arguments: StatementArguments(arguments)
            ).map(Self.jobRow)
        }
    }

    /// The level (`F` or `D`) of the newest Full or Differential of this job name, client and file set that started
    /// after `since` and did not end well (not `T`/`W`; running and created jobs do not count): what Rerun Failed
    /// Levels upgrades to. Nil: none.
    public func failedLevel(name: String, clientID: Int64, fileSetID: Int64, since: Int64) throws -> String? {
        try read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT Job.Level FROM Job WHERE Job.Type = 'B' AND Job.JobStatus NOT IN ('T', 'W', 'R', 'C')
                      AND Job.Level IN ('F', 'D') AND Job.Name = ? AND Job.ClientId = ? AND Job.FileSetId = ?
                      AND Job.StartTime > ? ORDER BY Job.StartTime DESC, Job.JobId DESC LIMIT 1
                    """, arguments: [name, clientID, fileSetID, CatalogTime.text(since)])
        }
    }

    /// The JobIds a restore of the most recent state of a client needs: the last Full, the last Differential after
    /// it, and the Incrementals after that (Bacula's "most recent backup for a client").
    public func currentBackupChain(clientID: Int64, fileSetName: String?) throws -> [Int64] {
        try read { db in
            var fileSetCondition = ""
            var arguments: [any DatabaseValueConvertible] = [clientID]
            if let fileSetName {
                fileSetCondition = " AND FileSet.FileSet = ?"
                arguments.append(fileSetName)
            }
            let base = """
                SELECT Job.JobId, Job.Level, Job.JobTDate FROM Job JOIN FileSet ON FileSet.FileSetId = Job.FileSetId
                WHERE Job.Type = 'B' AND Job.JobStatus IN ('T', 'W') AND Job.ClientId = ?\(fileSetCondition)
                """
            let jobs = try Row.fetchAll(db, sql: base + " ORDER BY Job.JobTDate, Job.JobId", arguments: StatementArguments(arguments))
                .map { (id: $0[0] as Int64, level: $0[1] as String, time: $0[2] as Int64) }
            guard let full = jobs.lastIndex(where: { $0.level == "F" }) else { return [] }
            var chain = [jobs[full].id]
            var start = full + 1
            if let differential = jobs[start...].lastIndex(where: { $0.level == "D" }) {
                chain.append(jobs[differential].id)
                start = differential + 1
            }
            chain += jobs[start...].filter { $0.level == "I" }.map(\.id)
            return chain
        }
    }

    /// Deletes a job with its files, JobMedia and log lines.
    public func deleteJob(id: Int64) throws {
        try write { db in
            for table in ["File", "JobMedia", "Log", "BaseFiles", "RestoreObject", "Job"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE JobId = ?", arguments: [id])
            }
        }
    }

    /// Appends a line to the job's log (the catalog destination of Messages).
    public func appendLog(jobID: Int64, time: Int64, text: String) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO Log (JobId, Time, LogText) VALUES (?, ?, ?)",
                arguments: [jobID, CatalogTime.text(time), text])
        }
    }

    /// The job's log lines, oldest first.
    public func log(jobID: Int64) throws -> [(time: Int64, text: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT Time, LogText FROM Log WHERE JobId = ? ORDER BY LogId", arguments: [jobID])
                .map { (CatalogTime.seconds($0[0] as DatabaseValue), $0[1]) }
        }
    }

    /// The highest JobId so far (0 for a new catalog).
    public func lastJobID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(JobId) FROM Job") ?? 0 }
    }
}
