import CapstanTestSupport
import Foundation
import Testing

/// `capstan console` against a real bacula-dir 9.6.7, compared with the real bconsole.
@Suite(.serialized) struct ConsoleInteropTests {
    /// Output lines that depend on the moment, not on the console: times, heap figures, queued-message notices.
    func comparable(_ output: String) -> [String] {
        output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.contains("You have messages.") && !$0.hasPrefix(" Heap:") }
            .map { $0.replacingOccurrences(of: #"\d\d:\d\d(:\d\d)?"#, with: "HH:MM", options: .regularExpression) }
    }

    @Test func printsWhatBconsolePrints() async throws {
        let director = try await RealDirector.start(storagePort: try RealBacula.freePort(), storagePassword: "unused")
        let commands = ["version", "status dir", ".api 2", ".jobs"]
        let real = try await director.bconsole(commands)
        let ours = try await Programs.run("capstan", ["console", "-c", try director.consoleConfiguration()],
            input: commands.joined(separator: "\n") + "\n")
        #expect(real.status == 0 && ours.status == 0, "\(ours.errors)")
        #expect(ours.output.contains("1000 OK: 103 interop-dir Version: 9.6.7"))
        #expect(ours.output.contains("interop-dir Version: 9.6.7 (10 December 2020)"))
        #expect(ours.output.contains("No Jobs running."))
        #expect(ours.output.contains("InteropBackup\nInteropRestore\n"))
        #expect(comparable(ours.output) == comparable(real.output))
    }

    @Test func wrongPasswordNamesTheDirectorAndFails() async throws {
        let director = try await RealDirector.start(storagePort: try RealBacula.freePort(), storagePassword: "unused")
        let result = try await Programs.run("capstan", ["console", "-c", try director.consoleConfiguration(password: "not-it")],
            input: "version\n")
        #expect(result.status != 0)
        #expect(result.errors.contains("Director \"interop-dir\" at 127.0.0.1:\(director.port) refused the login"))
        #expect(result.errors.contains("passwords do not agree"))
        #expect(!result.output.contains("Version: 9.6.7 (10 December 2020) x86_64"))
    }
}
