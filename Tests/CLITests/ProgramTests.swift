import Foundation
import Testing

/// The built programs, run as a user runs them.
enum Programs {
    /// The directory holding the built executables (beside the test bundle).
    static let directory: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for candidate in [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("capstan").path) {
            return candidate
        }
        return root.appendingPathComponent(".build/debug")
    }()

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs a program to completion (at most 60 s) and returns its exit status and output.
    static func run(_ name: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = directory.appendingPathComponent(name)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryFile(_ text: String, name: String = "test.conf") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite struct ProgramTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CapstanConfigTests/Fixtures").path

    @Test func storageDaemonAcceptsTheDebianStockFile() throws {
        let result = try Programs.run("capstan-sd", ["-t", "-c", "/etc/bacula/bacula-sd.conf"])
        #expect(result.status == 0, "\(result.errors)")
    }

    @Test func storageDaemonPrintsEveryErrorAndFails() throws {
        let path = try Programs.temporaryFile(
            """
            Storage { Name = sd; Working Directory = /w; Pid Directory = /p }
            Director { Name = d; Password = x }
            Messages { Name = M; console = all }
            Device {
              Name = D; Media Type = F; Archive Device = /t
              Maximum Blok Size = 1M
              Label Media = sometimes
            }
            """)
        let result = try Programs.run("capstan-sd", ["-t", "-c", path])
        #expect(result.status == 78)
        #expect(result.errors.contains("\(path):6:3: error: unknown directive \"Maximum Blok Size\""))
        #expect(result.errors.contains("did you mean \"Maximum Block Size\"?"))
        #expect(result.errors.contains("\(path):7:17: error: \"sometimes\" is not yes or no"))
        #expect(result.errors.contains("2 errors"))
    }

    @Test(arguments: ["bacula-sd", "bacula-fd", "bacula-dir", "bconsole"])
    func configCheckAcceptsEveryStockFile(name: String) throws {
        let result = try Programs.run("capstan", ["config", "check", "/etc/bacula/\(name).conf"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.contains("valid"))
    }

    @Test func configCheckWithTheWrongKindFails() throws {
        let result = try Programs.run("capstan", ["config", "check", "--for", "fd", "/etc/bacula/bacula-sd.conf"])
        #expect(result.status == 78)
        #expect(result.errors.contains("unknown resource type \"Storage\" in a File daemon configuration"))
    }

    @Test func configShowFillsDefaultsAndParsesBack() throws {
        let shown = try Programs.run("capstan", ["config", "show", Self.fixtures + "/seed-sd.conf"])
        #expect(shown.status == 0, "\(shown.errors)")
        #expect(shown.output.contains("Maximum Block Size = 1048576  # 1M"))
        #expect(shown.output.contains("Maximum File Size = 1000000000  # (default) 1 GB\n"))
        let path = try Programs.temporaryFile(shown.output, name: "shown.conf")
        let again = try Programs.run("capstan", ["config", "show", path])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("Maximum Block Size = 1048576  # 1M"))
        #expect(again.output.contains("Maximum File Size = 1000000000  # 1 GB\n"))
        #expect(again.output.split(separator: "\n").count == shown.output.split(separator: "\n").count)
    }

    @Test func missingFileIsAClearError() throws {
        let result = try Programs.run("capstan-sd", ["-t", "-c", "/nonexistent/capstan-sd.conf"])
        #expect(result.status == 78)
        #expect(result.errors.contains("cannot read \"/nonexistent/capstan-sd.conf\": No such file or directory"))
    }
}
