import Foundation

/// The repository's test data (`Tests/Fixtures`): the volumes and bootstraps written by the real Bacula 9.6.7 and the
/// packet captures of its daemons. Every lookup checks that the file is there and throws `Fixtures.Missing`, naming
/// the path, when it is not, so a test fails with a message instead of crashing on an empty read.
public enum Fixtures {
    /// The repository's root directory (this file is `Tests/Support/Fixtures.swift`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/bacula-9.6.7`: volumes, bootstraps and the README saying what `bls` prints for each.
    public static let volumes = repositoryRoot.appendingPathComponent("Tests/Fixtures/bacula-9.6.7")

    /// `Tests/Fixtures/captures`: pcap files of the real daemons and their decoded transcripts.
    public static let captures = repositoryRoot.appendingPathComponent("Tests/Fixtures/captures")

    /// A fixture that is not where the tests expect it.
    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "test fixture \(path) is missing (the tests read it from the repository)" }
    }

    /// The path of a Bacula volume or bootstrap fixture; throws `Missing` when the file does not exist.
    public static func volume(_ name: String) throws -> String { try existing(volumes.appendingPathComponent(name)) }

    /// The path of a capture or transcript; throws `Missing` when the file does not exist.
    public static func capture(_ name: String) throws -> String { try existing(captures.appendingPathComponent(name)) }

    /// The bytes of a file below `Tests/Fixtures`, e.g. `bytes("captures/x.pcap")`; throws `Missing` when absent.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        let path = try existing(repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relativePath))
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The text of a file below `Tests/Fixtures` (UTF-8, invalid bytes replaced); throws `Missing` when absent.
    public static func text(_ relativePath: String) throws -> String {
        String(decoding: try bytes(relativePath), as: UTF8.self)
    }

    private static func existing(_ url: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url.path
    }
}
