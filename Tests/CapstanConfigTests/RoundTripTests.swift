import CapstanConfig
import Foundation
import Testing

/// The files Debian 12's Bacula packages install, and the seed files: they check clean, and `config show` output
/// parses back to an equal configuration.
@Suite struct RoundTripTests {
    static let stockFiles: [(String, DaemonKind)] = [
        ("/etc/bacula/bacula-sd.conf", .storage), ("/etc/bacula/bacula-fd.conf", .fileDaemon),
        ("/etc/bacula/bacula-dir.conf", .director), ("/etc/bacula/bconsole.conf", .console),
    ]

    static let files: [(String, DaemonKind)] =
        stockFiles + [(TestPaths.fixture("seed-sd.conf"), .storage), (TestPaths.fixture("seed-dir.conf"), .director)]

    @Test(arguments: stockFiles.map(\.0))
    func debianStockFileChecksCleanAndIsDetected(path: String) throws {
        // The README test command installs bacula-sd, bacula-fd, bacula-director-sqlite3 and bacula-console.
        #expect(FileManager.default.isReadableFile(atPath: path), "\(path) missing: run the README test command")
        let expected = try #require(Self.stockFiles.first { $0.0 == path }?.1)
        let (configuration, diagnostics) = ConfigLoader.load(path: path, source: DiskSource())
        #expect(diagnostics.errors.isEmpty, "\(diagnostics)")
        #expect(configuration.kind == expected)
        #expect(!configuration.resources.isEmpty)
    }

    @Test(arguments: files.map(\.0))
    func showOutputParsesBackEqual(path: String) throws {
        let kind = try #require(Self.files.first { $0.0 == path }?.1)
        let (original, diagnostics) = ConfigLoader.load(path: path, kind: kind, source: DiskSource())
        try #require(diagnostics.errors.isEmpty, "\(diagnostics)")
        let shown = ConfigPrinter.render(original)
        let (reparsed, again) = ConfigLoader.load(text: shown, name: "shown.conf", source: InMemoryConfigSource([:]))
        #expect(again.all.isEmpty, "\(again)")
        #expect(reparsed.kind == kind)
        #expect(reparsed == original)
        // Only the "(default)" remarks differ: after the round trip every value is written in the file.
        #expect(withoutComments(ConfigPrinter.render(reparsed)) == withoutComments(shown))
    }

    func withoutComments(_ text: String) -> String {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            line.firstRange(of: "  # ").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n")
    }

    @Test func detectionTellsTheFourKindsApart() {
        #expect(ConfigLoader.detectKind(["Storage", "Device", "Director", "Messages"]) == .storage)
        #expect(ConfigLoader.detectKind(["Director", "Job", "Client", "Storage"]) == .director)
        #expect(ConfigLoader.detectKind(["FileDaemon", "Director", "Messages"]) == .fileDaemon)
        #expect(ConfigLoader.detectKind(["Client", "Director", "Messages"]) == .fileDaemon)
        #expect(ConfigLoader.detectKind(["Director"]) == .console)
    }
}
