import GRDB

/// File records: inserted in batches inside one transaction per batch, read back for restores and Accurate.
extension CatalogDatabase {
    /// Inserts a job's file entries in one transaction, creating Path and Filename rows as needed.
    public func addFiles(jobID: Int64, _ entries: [FileEntry]) throws {
        try addFiles(jobID: jobID, FileBatch(entries))
    }

    /// Inserts a batch's files, then applies its late digests, in one transaction, creating Path and Filename rows
    /// as needed (`FileRowInserter`: prepared statements bound straight from the batch's bytes).
    public func addFiles(jobID: Int64, _ batch: FileBatch) throws {
        guard !batch.isEmpty else { return }
        try write { db in
            var inserter = try FileRowInserter(db)
            defer { inserter.finish() }
            try inserter.insert(jobID: jobID, batch)
        }
    }

    /// Sets the digest of files already inserted (a digest record follows its attributes on the wire).
    public func setDigests(jobID: Int64, _ digests: [(fileIndex: Int64, digest: String)]) throws {
        guard !digests.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: "UPDATE File SET MD5 = ? WHERE JobId = ? AND FileIndex = ?")
            for item in digests { try statement.execute(arguments: [item.digest, jobID, item.fileIndex]) }
        }
    }

    /// The files of a set of jobs as one tree: for each path+name the entry of the newest job (highest position
    /// in `jobIDs`) that has it. Deleted entries (FileIndex 0) hide older versions and are left out. Unordered.
    public func files(jobIDs: [Int64]) throws -> [CatalogFile] {
        guard !jobIDs.isEmpty else { return [] }
        let order = Dictionary(jobIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let newest: [String: CatalogFile] = try read { db in
            var newest: [String: CatalogFile] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT File.JobId, File.FileIndex, Path.Path, Filename.Name, File.LStat, File.MD5 FROM File
                    JOIN Path ON Path.PathId = File.PathId JOIN Filename ON Filename.FilenameId = File.FilenameId
                    WHERE File.JobId IN (\(jobIDs.map(String.init).joined(separator: ",")))
                    """)
            while let row = try rows.next() {
                let file = CatalogFile(
                    jobID: row[0], fileIndex: row[1], path: row[2], name: row[3], lstat: row[4], digest: row[5])
                let key = file.fullName
                if let existing = newest[key], (order[existing.jobID] ?? 0) > (order[file.jobID] ?? 0) { continue }
                newest[key] = file
            }
            return newest
        }
        return newest.values.filter { $0.fileIndex > 0 }
    }

    /// How many file rows a job has.
    public func fileCount(jobID: Int64) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM File WHERE JobId = ?", arguments: [jobID]) ?? 0 }
    }
}

extension CatalogDatabase {
    /// Drops a job's File rows and marks it PurgedFiles; returns 1 when the job had files.
    public func purgeFiles(jobID: Int64) throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM File WHERE JobId = ?", arguments: [jobID])
            let changed = db.changesCount
            try db.execute(sql: "UPDATE Job SET PurgedFiles = 1 WHERE JobId = ?", arguments: [jobID])
            return changed > 0 ? 1 : 0
        }
    }
}
