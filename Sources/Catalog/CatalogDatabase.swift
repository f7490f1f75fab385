import GRDB

/// The Director's catalog: one SQLite file (system libsqlite3 through GRDB).
public final class CatalogDatabase: Sendable {
    let queue: DatabaseQueue

    /// Opens (creating if needed) the catalog at `path`; ":memory:" gives a private in-memory catalog.
    public init(path: String) throws {
        queue = path == ":memory:" ? try DatabaseQueue() : try DatabaseQueue(path: path)
    }

    /// The version of the SQLite library the catalog runs on (`SELECT sqlite_version()`).
    public func sqliteVersion() throws -> String {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "" }
    }
}
