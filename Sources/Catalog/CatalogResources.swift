import GRDB

/// Clients, pools, file sets and storages: the catalog rows that mirror configuration resources.
extension CatalogDatabase {
    /// The ClientId of `name`, creating the row or refreshing its values; `uname` replaces the stored one when set.
    public func ensureClient(
        name: String, uname: String? = nil, autoPrune: Bool, fileRetention: Int64, jobRetention: Int64
    ) throws -> Int64 {
        try write { db in
            if let id = try Int64.fetchOne(db, sql: "SELECT ClientId FROM Client WHERE Name = ?", arguments: [name]) {
                try db.execute(
                    sql: "UPDATE Client SET AutoPrune = ?, FileRetention = ?, JobRetention = ? WHERE ClientId = ?",
                    arguments: [autoPrune ? 1 : 0, fileRetention, jobRetention, id])
                if let uname {
                    try db.execute(sql: "UPDATE Client SET Uname = ? WHERE ClientId = ?", arguments: [uname, id])
                }
                return id
            }
            try db.execute(
                sql: "INSERT INTO Client (Name, Uname, AutoPrune, FileRetention, JobRetention) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, uname ?? "", autoPrune ? 1 : 0, fileRetention, jobRetention])
            return db.lastInsertedRowID
        }
    }

    /// The PoolId of the pool, creating the row or updating it from the resource (Bacula does the same at start-up).
    public func ensurePool(_ pool: PoolDefinition) throws -> Int64 {
        try write { db in
            let values: [any DatabaseValueConvertible] = [
                pool.maximumVolumes, pool.useOnce ? 1 : 0, pool.useCatalog ? 1 : 0, pool.volumeRetention,
                pool.volumeUseDuration, pool.maximumVolumeJobs, pool.maximumVolumeFiles, pool.maximumVolumeBytes,
                pool.autoPrune ? 1 : 0, pool.recycle ? 1 : 0, pool.poolType, pool.labelType, pool.labelFormat,
                pool.enabled ? 1 : 0,
            ]
            if let id = try Int64.fetchOne(db, sql: "SELECT PoolId FROM Pool WHERE Name = ?", arguments: [pool.name]) {
                try db.execute(
                    sql: """
                        UPDATE Pool SET MaxVols = ?, UseOnce = ?, UseCatalog = ?, VolRetention = ?, VolUseDuration = ?,
                          MaxVolJobs = ?, MaxVolFiles = ?, MaxVolBytes = ?, AutoPrune = ?, Recycle = ?, PoolType = ?,
                          LabelType = ?, LabelFormat = ?, Enabled = ? WHERE PoolId = ?
                        """, arguments: StatementArguments(values + [id]))
                return id
            }
            try db.execute(
                sql: """
                    INSERT INTO Pool (MaxVols, UseOnce, UseCatalog, VolRetention, VolUseDuration, MaxVolJobs,
                      MaxVolFiles, MaxVolBytes, AutoPrune, Recycle, PoolType, LabelType, LabelFormat, Enabled, Name)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: StatementArguments(values + [pool.name]))
            return db.lastInsertedRowID
        }
    }

    /// The PoolId of a pool already in the catalog.
    public func poolID(named name: String) throws -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT PoolId FROM Pool WHERE Name = ?", arguments: [name]) }
    }

    /// The FileSetId and creation time for a FileSet with this MD5 of its definition, creating one when the
    /// definition changed (Bacula keeps one row per version).
    public func ensureFileSet(name: String, md5: String, now: Int64 = CatalogTime.now()) throws -> (id: Int64, created: Int64) {
        try write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT FileSetId, CreateTime FROM FileSet WHERE FileSet = ? AND MD5 = ? ORDER BY FileSetId DESC",
                arguments: [name, md5])
            {
                return (row[0], CatalogTime.seconds(row[1] as DatabaseValue))
            }
            try db.execute(
                sql: "INSERT INTO FileSet (FileSet, MD5, CreateTime) VALUES (?, ?, ?)",
                arguments: [name, md5, CatalogTime.text(now)])
            return (db.lastInsertedRowID, now)
        }
    }

    /// The StorageId of a Storage resource name, creating the row.
    public func ensureStorage(name: String, autochanger: Bool) throws -> Int64 {
        try write { db in
            if let id = try Int64.fetchOne(db, sql: "SELECT StorageId FROM Storage WHERE Name = ?", arguments: [name]) {
                return id
            }
            try db.execute(
                sql: "INSERT INTO Storage (Name, AutoChanger) VALUES (?, ?)", arguments: [name, autochanger ? 1 : 0])
            return db.lastInsertedRowID
        }
    }

    /// Ensures a MediaType row exists (Bacula adds one per media type it sees).
    public func ensureMediaType(_ mediaType: String) throws -> Int64 {
        try write { db in
            if let id = try Int64.fetchOne(
                db, sql: "SELECT MediaTypeId FROM MediaType WHERE MediaType = ?", arguments: [mediaType])
            {
                return id
            }
            try db.execute(sql: "INSERT INTO MediaType (MediaType, ReadOnly) VALUES (?, 0)", arguments: [mediaType])
            return db.lastInsertedRowID
        }
    }
}
