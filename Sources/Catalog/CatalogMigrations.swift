import GRDB

/// Versioned catalog migrations, keyed on the `Version` table as Bacula keeps it (no extra bookkeeping table, so the
/// real bacula-dir, bscan and dbcheck still see exactly their format).
///
/// An empty file gets the whole version-16 schema; a catalog at version 16 is used as it is; an older version runs
/// the steps registered in `steps` one after another; anything else is refused with the file and the version.
enum CatalogMigrations {
    /// One step: from `version` to `version + 1`.
    struct Step {
        var from: Int
        var statements: [String]
    }

    /// Known steps. None yet: Bacula 9.6 itself reads and writes version 16 only, and a catalog at 15 or older is
    /// brought up with Debian's update_sqlite3_tables before either Director uses it. A later Capstan format
    /// change adds its step here (from 16) and raises `CatalogSchema.version`.
    static let steps: [Step] = []

    /// Creates or checks the schema; runs inside one write transaction.
    static func prepare(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        if path != ":memory:" {
            _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        }
        if tables.isEmpty {
            try create(db)
            return
        }
        guard tables.contains("Version") else {
            throw CatalogError.notACatalog(path: path, reason: "it has tables but no Version table")
        }
        var version = try Int.fetchOne(db, sql: "SELECT VersionId FROM Version") ?? 0
        while version < CatalogSchema.version {
            guard let step = steps.first(where: { $0.from == version }) else {
                throw CatalogError.unsupportedVersion(path: path, version: version)
            }
            for statement in step.statements { try db.execute(sql: statement) }
            version += 1
            try db.execute(sql: "UPDATE Version SET VersionId = ?", arguments: [version])
        }
        if version > CatalogSchema.version {
            throw CatalogError.unsupportedVersion(path: path, version: version)
        }
    }

    /// The version-16 schema and its fixed rows.
    static func create(_ db: Database) throws {
        for statement in CatalogSchema.statements { try db.execute(sql: statement) }
        for row in CatalogSchema.statusRows {
            if let severity = row.severity {
                try db.execute(
                    sql: "INSERT INTO Status (JobStatus, JobStatusLong, Severity) VALUES (?, ?, ?)",
                    arguments: [row.code, row.text, severity])
            } else {
                try db.execute(
                    sql: "INSERT INTO Status (JobStatus, JobStatusLong) VALUES (?, ?)", arguments: [row.code, row.text])
            }
        }
        try db.execute(sql: "INSERT INTO Version (VersionId) VALUES (?)", arguments: [CatalogSchema.version])
    }
}
