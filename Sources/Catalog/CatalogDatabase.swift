import Foundation
import GRDB

/// The Director's catalog: one SQLite file in Bacula 9.6's format (version 16), through GRDB in WAL mode.
///
/// Opening an empty file creates the schema; opening a catalog written by the real bacula-dir uses it as it is
/// (after the versioned migrations, `CatalogMigrations`, bring an older format up to 16). Every method is one
/// transaction; the class is safe to share between tasks (GRDB serializes writers).
public final class CatalogDatabase: Sendable {
    let writer: any DatabaseWriter
    public let path: String

    /// Opens (creating if needed) the catalog at `path`; ":memory:" gives a private in-memory catalog.
    /// Throws `CatalogError` naming the file when it is not a catalog this Director can use.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = false  // Bacula's REFERENCES columns default to 0, which points nowhere
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        if path == ":memory:" {
            writer = try DatabaseQueue(configuration: configuration)
        } else {
            do {
                writer = try DatabasePool(path: path, configuration: configuration)
            } catch {
                throw CatalogError.cannotOpen(path: path, reason: "\(error)")
            }
        }
        try writer.write { db in try CatalogMigrations.prepare(db, path: path) }
    }

    /// The version of the SQLite library the catalog runs on (`SELECT sqlite_version()`).
    public func sqliteVersion() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "" }
    }

    /// The catalog format version recorded in the `Version` table.
    public func formatVersion() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT VersionId FROM Version") ?? 0 }
    }

    /// The journal mode SQLite reports (`wal` for a file catalog).
    public func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Runs `body` in one write transaction.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        try writer.write(body)
    }

    /// Runs `body` on a read-only snapshot.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    /// Runs an arbitrary read-only query and returns its rows as text columns (for `list` and `sqlquery`).
    public func rows(sql: String, arguments: [String] = []) throws -> (columns: [String], rows: [[String]]) {
        try writer.read { db in
            let statement = try db.makeStatement(sql: sql)
            let columns = statement.columnNames
            let rows = try Row.fetchAll(statement, arguments: StatementArguments(arguments)).map { row in
                (0..<row.count).map { index -> String in
                    let value: DatabaseValue = row[index]
                    switch value.storage {
                    case .null: return ""
                    case .int64(let number): return String(number)
                    case .double(let number): return String(number)
                    case .string(let text): return text
                    case .blob(let data): return String(decoding: data, as: UTF8.self)
                    }
                }
            }
            return (columns, rows)
        }
    }
}

/// A catalog that cannot be used, with the file and the reason.
public enum CatalogError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int)
    case notACatalog(path: String, reason: String)
    case missing(what: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open the catalog \(path): \(reason)"
        case .unsupportedVersion(let path, let version):
            return "the catalog \(path) has format version \(version); this Director reads versions up to "
                + "\(CatalogSchema.version) and knows no migration from \(version)"
        case .notACatalog(let path, let reason): return "\(path) is not a Bacula catalog: \(reason)"
        case .missing(let what): return "not in the catalog: \(what)"
        }
    }
}
