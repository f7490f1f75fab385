import CapstanTestSupport
import Catalog
import Foundation
import Testing

/// The catalog Capstan creates has Bacula 9.6's format, and a catalog made by Debian's own script opens as-is.
@Suite struct CatalogSchemaTests {
    /// Every table's columns (name, type, not-null, default, primary key) and every index (name, unique, columns),
    /// as sqlite3 reports them.
    static func shape(of path: String) async throws -> String {
        let tables = try await Command.run(
            "/usr/bin/sqlite3", [path, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"]
        ).output.split(separator: "\n").map(String.init)
        var lines: [String] = []
        for table in tables {
            let columns = try await Command.run("/usr/bin/sqlite3", [path, "PRAGMA table_info(\(table))"]).output
            lines.append("TABLE \(table)\n\(columns)")
            let indexes = try await Command.run(
                "/usr/bin/sqlite3",
                [path, "SELECT name || ' ' || \"unique\" FROM pragma_index_list('\(table)') ORDER BY name"]
            ).output.split(separator: "\n")
            for index in indexes {
                let name = index.split(separator: " ")[0]
                let columns = try await Command.run(
                    "/usr/bin/sqlite3", [path, "SELECT group_concat(name) FROM pragma_index_info('\(name)')"]
                ).output
                lines.append("INDEX \(table) \(index) \(columns)")
            }
        }
        lines.append(try await Command.run("/usr/bin/sqlite3", [path, "SELECT * FROM Status ORDER BY JobStatus"]).output)
        lines.append(try await Command.run("/usr/bin/sqlite3", [path, "SELECT * FROM Version"]).output)
        return lines.joined(separator: "\n")
    }

    @Test func createdSchemaMatchesDebiansMakeSqlite3Tables() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-catalog-schema")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        try await RealBacula.makeCatalog(in: directory)
        let capstanPath = directory + "/capstan.db"
        let catalog = try CatalogDatabase(path: capstanPath)
        #expect(try catalog.formatVersion() == 16)
        #expect(try catalog.journalMode() == "wal")
        let expected = try await Self.shape(of: directory + "/bacula.db")
        let actual = try await Self.shape(of: capstanPath)
        #expect(actual == expected)
        #expect(expected.contains("TABLE Media"))
    }

    @Test func debianCatalogOpensAsIs() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-catalog-open")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        try await RealBacula.makeCatalog(in: directory)
        let before = try await Self.shape(of: directory + "/bacula.db")
        let catalog = try CatalogDatabase(path: directory + "/bacula.db")
        #expect(try catalog.formatVersion() == 16)
        let after = try await Self.shape(of: directory + "/bacula.db")
        #expect(after == before)
    }

    @Test func olderOrForeignFilesAreRefusedNamingTheFile() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-catalog-refuse")
        defer { RealBacula.removeTemporaryDirectory(directory) }
        try await RealBacula.makeCatalog(in: directory)
        let old = directory + "/bacula.db"
        _ = try await Command.run("/usr/bin/sqlite3", [old, "UPDATE Version SET VersionId = 14"])
        #expect(throws: CatalogError.unsupportedVersion(path: old, version: 14)) { try CatalogDatabase(path: old) }
        let foreign = directory + "/foreign.db"
        _ = try await Command.run("/usr/bin/sqlite3", [foreign, "CREATE TABLE Something (x INTEGER)"])
        #expect(throws: CatalogError.self) { try CatalogDatabase(path: foreign) }
    }
}
