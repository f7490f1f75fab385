import CapstanConfig
import Foundation

/// Paths the tests read: the fixtures beside this file, and the repository root.
enum TestPaths {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func fixture(_ name: String) -> String { fixtures + "/" + name }
}

/// Reads real files for the lexer (the same behaviour as the daemons' source, without the CLI module).
struct DiskSource: ConfigSource {
    func contents(of path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InMemoryConfigSource.MissingFile(path: path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    func expand(pattern: String) throws -> [String] { [pattern] }
}

/// Loads in-memory text and returns the configuration and all diagnostics.
func load(_ text: String, as kind: DaemonKind? = nil, files: [String: String] = [:]) -> (Configuration, ConfigDiagnostics) {
    ConfigLoader.load(text: text, name: "test.conf", kind: kind, source: InMemoryConfigSource(files))
}
