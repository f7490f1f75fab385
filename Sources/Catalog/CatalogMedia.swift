import GRDB

/// Volumes (`Media`) and where jobs wrote (`JobMedia`).
extension CatalogDatabase {
    static let mediaColumns = """
        Media.MediaId, Media.VolumeName, Media.Slot, Media.PoolId, Media.MediaType, Media.LabelType,
        Media.FirstWritten, Media.LastWritten, Media.LabelDate, Media.VolJobs, Media.VolFiles, Media.VolBlocks,
        Media.VolMounts, Media.VolBytes, Media.VolABytes, Media.VolHoleBytes, Media.VolHoles, Media.VolType,
        Media.VolParts, Media.VolCloudParts, Media.LastPartBytes, Media.VolErrors, Media.VolWrites,
        Media.VolCapacityBytes, Media.VolStatus, Media.Enabled, Media.Recycle, Media.VolRetention,
        Media.VolUseDuration, Media.MaxVolJobs, Media.MaxVolFiles, Media.MaxVolBytes, Media.InChanger,
        Media.StorageId, Media.VolReadTime, Media.VolWriteTime, Media.EndFile, Media.EndBlock, Media.RecycleCount,
        Media.InitialWrite, Media.ScratchPoolId, Media.RecyclePoolId, COALESCE(Pool.Name, '')
        """

    static func mediaRow(_ row: Row) -> MediaRow {
        var m = MediaRow()
        m.mediaID = row[0]
        m.volumeName = row[1]
        m.slot = row[2] ?? 0
        m.poolID = row[3] ?? 0
        m.mediaType = row[4]
        m.labelType = row[5] ?? 0
        m.firstWritten = CatalogTime.seconds(row[6] as DatabaseValue)
        m.lastWritten = CatalogTime.seconds(row[7] as DatabaseValue)
        m.labelDate = CatalogTime.seconds(row[8] as DatabaseValue)
        m.volumeJobs = row[9] ?? 0
        m.volumeFiles = row[10] ?? 0
        m.volumeBlocks = row[11] ?? 0
        m.volumeMounts = row[12] ?? 0
        m.volumeBytes = row[13] ?? 0
        m.volumeABytes = row[14] ?? 0
        m.volumeHoleBytes = row[15] ?? 0
        m.volumeHoles = row[16] ?? 0
        m.volumeType = row[17] ?? 0
        m.volumeParts = row[18] ?? 0
        m.volumeCloudParts = row[19] ?? 0
        m.lastPartBytes = row[20] ?? 0
        m.volumeErrors = row[21] ?? 0
        m.volumeWrites = row[22] ?? 0
        m.volumeCapacityBytes = row[23] ?? 0
        m.volumeStatus = row[24]
        m.enabled = row[25] ?? 1
        m.recycle = row[26] ?? 0
        m.volumeRetention = row[27] ?? 0
        m.volumeUseDuration = row[28] ?? 0
        m.maximumVolumeJobs = row[29] ?? 0
        m.maximumVolumeFiles = row[30] ?? 0
        m.maximumVolumeBytes = row[31] ?? 0
        m.inChanger = row[32] ?? 0
        m.storageID = row[33] ?? 0
        m.volumeReadTime = row[34] ?? 0
        m.volumeWriteTime = row[35] ?? 0
        m.endFile = row[36] ?? 0
        m.endBlock = row[37] ?? 0
        m.recycleCount = row[38] ?? 0
        m.initialWrite = CatalogTime.seconds(row[39] as DatabaseValue)
        m.scratchPoolID = row[40] ?? 0
        m.recyclePoolID = row[41] ?? 0
        m.poolName = row[42]
        return m
    }

    static let mediaFrom = "FROM Media LEFT JOIN Pool ON Pool.PoolId = Media.PoolId"

    /// Creates a volume in `pool` with the pool's limits copied in (as Bacula's label and Label Format do).
    public func createMedia(
        volumeName: String, pool: PoolDefinition, poolID: Int64, mediaType: String, storageID: Int64, slot: Int64 = 0,
        inChanger: Bool = false, labelled: Bool = false, now: Int64 = CatalogTime.now()
    ) throws -> MediaRow {
        let mediaTypeID = try ensureMediaType(mediaType)
        let id: Int64 = try write { db in
            try db.execute(
                sql: """
                    INSERT INTO Media (VolumeName, Slot, PoolId, MediaType, MediaTypeId, LabelType, LabelDate,
                      VolStatus, Enabled, Recycle, VolRetention, VolUseDuration, MaxVolJobs, MaxVolFiles,
                      MaxVolBytes, InChanger, StorageId, ScratchPoolId, RecyclePoolId)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'Append', 1, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
                    """,
                arguments: [
                    volumeName, slot, poolID, mediaType, mediaTypeID, pool.labelType,
                    labelled ? CatalogTime.text(now) : "0", pool.recycle ? 1 : 0, pool.volumeRetention,
                    pool.volumeUseDuration, pool.maximumVolumeJobs, pool.maximumVolumeFiles,
                    pool.maximumVolumeBytes, inChanger ? 1 : 0, storageID,
                ])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE Pool SET NumVols = (SELECT COUNT(*) FROM Media WHERE PoolId = ?) WHERE PoolId = ?",
                arguments: [poolID, poolID])
            return id
        }
        guard let row = try media(id: id) else { throw CatalogError.missing(what: "MediaId \(id)") }
        return row
    }

    /// One volume by name.
    public func media(named name: String) throws -> MediaRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.mediaColumns) \(Self.mediaFrom) WHERE VolumeName = ?", arguments: [name])
                .map(Self.mediaRow)
        }
    }

    /// One volume by MediaId.
    public func media(id: Int64) throws -> MediaRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.mediaColumns) \(Self.mediaFrom) WHERE MediaId = ?", arguments: [id])
                .map(Self.mediaRow)
        }
    }

    /// All volumes, optionally of one pool, ordered by MediaId.
    public func media(poolName: String? = nil) throws -> [MediaRow] {
        try read { db in
            if let poolName {
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.mediaColumns) \(Self.mediaFrom) WHERE Pool.Name = ? ORDER BY MediaId",
                    arguments: [poolName]
                ).map(Self.mediaRow)
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.mediaColumns) \(Self.mediaFrom) ORDER BY MediaId")
                .map(Self.mediaRow)
        }
    }

    /// The `index`-th (from 1) volume to append to in a pool, in Bacula's order: volumes in `Append` status, the
    /// most recently written first, then never-written ones by MediaId; then `Recycle`/`Purged` volumes, the
    /// least recently written first (when `recycling` is allowed).
    public func appendableMedia(poolID: Int64, mediaType: String, index: Int, recycling: Bool) throws -> MediaRow? {
        try read { db in
            let appendable = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.mediaColumns) \(Self.mediaFrom) WHERE Media.PoolId = ? AND Media.MediaType = ?
                      AND Media.VolStatus = 'Append' AND Media.Enabled = 1
                    ORDER BY Media.LastWritten IS NULL OR Media.LastWritten = '0', Media.LastWritten DESC,
                      Media.MediaId
                    """, arguments: [poolID, mediaType]
            ).map(Self.mediaRow)
            var candidates = appendable
            if recycling {
                candidates += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.mediaColumns) \(Self.mediaFrom) WHERE Media.PoolId = ? AND Media.MediaType = ?
                          AND Media.VolStatus IN ('Recycle', 'Purged') AND Media.Enabled = 1 AND Media.Recycle = 1
                        ORDER BY Media.LastWritten, Media.MediaId
                        """, arguments: [poolID, mediaType]
                ).map(Self.mediaRow)
            }
            return index >= 1 && index <= candidates.count ? candidates[index - 1] : nil
        }
    }

    /// Stores a volume row as given (by MediaId).
    public func saveMedia(_ m: MediaRow) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE Media SET VolJobs = ?, VolFiles = ?, VolBlocks = ?, VolBytes = ?, VolABytes = ?,
                      VolHoleBytes = ?, VolHoles = ?, VolMounts = ?, VolErrors = ?, VolWrites = ?, MaxVolBytes = ?,
                      LastWritten = ?, VolStatus = ?, Slot = ?, InChanger = ?, VolReadTime = ?, VolWriteTime = ?,
                      FirstWritten = ?, VolType = ?, VolParts = ?, VolCloudParts = ?, LastPartBytes = ?,
                      Enabled = ?, Recycle = ?, LabelDate = ?, PoolId = ?, EndFile = ?, EndBlock = ?,
                      VolCapacityBytes = ?, InitialWrite = ?, RecycleCount = ?, StorageId = ?
                    WHERE MediaId = ?
                    """,
                arguments: [
                    m.volumeJobs, m.volumeFiles, m.volumeBlocks, m.volumeBytes, m.volumeABytes, m.volumeHoleBytes,
                    m.volumeHoles, m.volumeMounts, m.volumeErrors, m.volumeWrites, m.maximumVolumeBytes,
                    CatalogTime.text(m.lastWritten), m.volumeStatus, m.slot, m.inChanger, m.volumeReadTime,
                    m.volumeWriteTime, CatalogTime.text(m.firstWritten), m.volumeType, m.volumeParts,
                    m.volumeCloudParts, m.lastPartBytes, m.enabled, m.recycle, CatalogTime.text(m.labelDate),
                    m.poolID, m.endFile, m.endBlock, m.volumeCapacityBytes, CatalogTime.text(m.initialWrite),
                    m.recycleCount, m.storageID, m.mediaID,
                ])
        }
    }

    /// Deletes a volume row (its JobMedia rows too).
    public func deleteMedia(id: Int64) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM JobMedia WHERE MediaId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM Media WHERE MediaId = ?", arguments: [id])
        }
    }

    /// Inserts JobMedia rows; the SD's placeholder `0 0 0 0 0 0 id` rows are kept out (Bacula drops them too).
    public func addJobMedia(_ rows: [JobMediaRow]) throws {
        try write { db in
            for row in rows where !(row.firstIndex == 0 && row.lastIndex == 0) {
                let volumeIndex = (try Int64.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM JobMedia WHERE JobId = ?", arguments: [row.jobID]) ?? 0) + 1
                try db.execute(
                    sql: """
                        INSERT INTO JobMedia (JobId, MediaId, FirstIndex, LastIndex, StartFile, EndFile, StartBlock,
                          EndBlock, VolIndex) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        row.jobID, row.mediaID, row.firstIndex, row.lastIndex, row.startFile, row.endFile,
                        row.startBlock, row.endBlock, volumeIndex,
                    ])
            }
        }
    }

    /// The JobMedia rows of jobs with their volume names and sessions, in job then volume order.
    public func jobMedia(jobIDs: [Int64]) throws -> [JobMediaRow] {
        guard !jobIDs.isEmpty else { return [] }
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT JobMedia.JobId, JobMedia.MediaId, JobMedia.FirstIndex, JobMedia.LastIndex, JobMedia.StartFile,
                      JobMedia.EndFile, JobMedia.StartBlock,
                      JobMedia.EndBlock, JobMedia.VolIndex, Media.VolumeName, Media.MediaType, Job.VolSessionId, Job.VolSessionTime
                    FROM JobMedia JOIN Media ON Media.MediaId = JobMedia.MediaId JOIN Job ON Job.JobId = JobMedia.JobId
                    WHERE JobMedia.JobId IN (\(jobIDs.map(String.init).joined(separator: ",")))
                    ORDER BY JobMedia.JobId, JobMedia.JobMediaId
                    """
            ).map { row in
                var item = JobMediaRow(
                    jobID: row[0], mediaID: row[1], firstIndex: row[2], lastIndex: row[3], startFile: row[4] ?? 0,
                    endFile: row[5] ?? 0, startBlock: row[6] ?? 0, endBlock: row[7] ?? 0, volumeIndex: row[8] ?? 0)
                item.volumeName = row[9]
                item.mediaType = row[10]
                item.sessionID = row[11] ?? 0
                item.sessionTime = row[12] ?? 0
                return item
            }
        }
    }

    /// The names of the volumes a job wrote, in order.
    public func volumeNames(jobID: Int64) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT Media.VolumeName FROM JobMedia JOIN Media ON Media.MediaId = JobMedia.MediaId
                    WHERE JobMedia.JobId = ? GROUP BY Media.MediaId ORDER BY MIN(JobMedia.JobMediaId)
                    """, arguments: [jobID])
        }
    }
}
