import Foundation

/// Capstan's built programs, run as a user runs them.
public enum Programs {
    /// The directory holding the built executables (beside the test bundle, or the package's .build/debug).
    public static let directory: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for candidate in [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("capstan").path) {
            return candidate
        }
        return root.appendingPathComponent(".build/debug")
    }()

    /// The path of a built program.
    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs a program to completion (at most `timeout` seconds) and returns its exit status and output.
    public static func run(_ name: String, _ arguments: [String], input: String? = nil, timeout: Double = 60)
        async throws -> Command.Result
    {
        try await Command.run(path(name), arguments, input: input, timeout: timeout)
    }

    /// Writes `text` to a new file in a fresh temporary directory and returns its path.
    public static func temporaryFile(_ text: String, name: String = "test.conf") throws -> String {
        let directory = try RealBacula.temporaryDirectory("capstan-test")
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
