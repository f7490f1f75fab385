import GRDB
import GRDBSQLite

/// Inserts File rows (with their Path and Filename rows) inside one write transaction, binding the text columns
/// straight from a `FileBatch`'s bytes to the connection's prepared statements. This is the catalog's hot path
/// for a backup of many small files: no String, argument array or dictionary entry per file. Use it for one
/// transaction (`CatalogDatabase.addFiles`), then `finish()`.
struct FileRowInserter {
    private let connection: SQLiteConnection
    private let findPath: SQLiteStatement
    private let addPath: SQLiteStatement
    private let findName: SQLiteStatement
    private let addName: SQLiteStatement
    private let addFile: SQLiteStatement
    private let setDigest: SQLiteStatement
    /// PathIds seen in this transaction (a path comes back when a directory's files are interleaved with others).
    private var pathIDs: [[UInt8]: Int64] = [:]

    static let findPathSQL = "SELECT PathId FROM Path WHERE Path = ?"
    static let addPathSQL = "INSERT INTO Path (Path) VALUES (?)"
    static let findNameSQL = "SELECT FilenameId FROM Filename WHERE Name = ?"
    static let addNameSQL = "INSERT INTO Filename (Name) VALUES (?)"
    static let addFileSQL = """
        INSERT INTO File (FileIndex, JobId, PathId, FilenameId, DeltaSeq, MarkId, LStat, MD5)
        VALUES (?, ?, ?, ?, ?, 0, ?, ?)
        """
    static let setDigestSQL = "UPDATE File SET MD5 = ? WHERE JobId = ? AND FileIndex = ?"

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the catalog connection is closed")
        }
        self.connection = connection
        // GRDB's statement cache keeps them prepared from one batch to the next.
        findPath = try db.cachedStatement(sql: Self.findPathSQL).sqliteStatement
        addPath = try db.cachedStatement(sql: Self.addPathSQL).sqliteStatement
        findName = try db.cachedStatement(sql: Self.findNameSQL).sqliteStatement
        addName = try db.cachedStatement(sql: Self.addNameSQL).sqliteStatement
        addFile = try db.cachedStatement(sql: Self.addFileSQL).sqliteStatement
        setDigest = try db.cachedStatement(sql: Self.setDigestSQL).sqliteStatement
    }

    /// Resets the statements and drops their bindings (which point into a batch's bytes).
    func finish() {
        for statement in [findPath, addPath, findName, addName, addFile, setDigest] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
    }

    /// Inserts the batch's files in order, then its late digests.
    mutating func insert(jobID: Int64, _ batch: FileBatch) throws {
        try batch.bytes.withUnsafeBufferPointer { bytes in
            let zero: StaticString = "0"
            var previousPath: FileBatch.Span?
            var pathID: Int64 = 0
            for item in batch.items {
                if item.path != previousPath {
                    pathID = try self.pathID(Self.slice(bytes, item.path))
                    previousPath = item.path
                }
                let nameID = try lookUpOrAdd(
                    Self.slice(bytes, item.name), find: findName, add: addName, sql: Self.addNameSQL)
                let statement = addFile
                sqlite3_bind_int64(statement, 1, item.catalogIndex)
                sqlite3_bind_int64(statement, 2, jobID)
                sqlite3_bind_int64(statement, 3, pathID)
                sqlite3_bind_int64(statement, 4, nameID)
                sqlite3_bind_int64(statement, 5, item.deltaSequence)
                bindText(statement, 6, Self.slice(bytes, item.lstat))
                if item.digest.count == 0 {
                    let text = UnsafeRawPointer(zero.utf8Start).assumingMemoryBound(to: CChar.self)
                    sqlite3_bind_text(statement, 7, text, 1, nil)
                } else {
                    bindText(statement, 7, Self.slice(bytes, item.digest))
                }
                try step(statement, sql: Self.addFileSQL)
            }
            for late in batch.lateDigests {
                bindText(setDigest, 1, Self.slice(bytes, late.digest))
                sqlite3_bind_int64(setDigest, 2, jobID)
                sqlite3_bind_int64(setDigest, 3, late.fileIndex)
                try step(setDigest, sql: Self.setDigestSQL)
            }
        }
    }

    private mutating func pathID(_ path: UnsafeBufferPointer<UInt8>) throws -> Int64 {
        let key = Array(path)
        if let known = pathIDs[key] { return known }
        let id = try lookUpOrAdd(path, find: findPath, add: addPath, sql: Self.addPathSQL)
        pathIDs[key] = id
        return id
    }

    /// The id of the row whose text column is `text` (`find`), inserting one (`add`) when there is none.
    private func lookUpOrAdd(
        _ text: UnsafeBufferPointer<UInt8>, find: SQLiteStatement, add: SQLiteStatement, sql: String
    ) throws -> Int64 {
        bindText(find, 1, text)
        let found = sqlite3_step(find)
        let id = found == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0
        sqlite3_reset(find)
        switch found {
        case SQLITE_ROW: return id
        case SQLITE_DONE: break
        default: throw error(found, sql: sql)
        }
        bindText(add, 1, text)
        try step(add, sql: sql)
        return sqlite3_last_insert_rowid(connection)
    }

    /// Binds `text` without a copy (SQLITE_STATIC: the bytes outlive the statement's step).
    private func bindText(_ statement: SQLiteStatement, _ index: Int32, _ text: UnsafeBufferPointer<UInt8>) {
        // An empty text still needs a non-null pointer, or SQLite binds NULL.
        let empty: StaticString = ""
        let pointer = text.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(empty.utf8Start)
        sqlite3_bind_text(statement, index, pointer.assumingMemoryBound(to: CChar.self), Int32(text.count), nil)
    }

    /// Runs a statement that returns no row, then resets it.
    private func step(_ statement: SQLiteStatement, sql: String) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw error(code, sql: sql) }
    }

    private func error(_ code: Int32, sql: String) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    private static func slice(_ bytes: UnsafeBufferPointer<UInt8>, _ span: FileBatch.Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(span.start)..<Int(span.start + span.count)])
    }
}
