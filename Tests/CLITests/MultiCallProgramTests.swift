import CapstanCLI
import CapstanTestSupport
import Foundation
import Testing

/// The package's one binary: /usr/bin/capstan, with the daemons' names linked to it.
@Suite struct MultiCallProgramTests {
    @Test(arguments: [
        ("/usr/sbin/capstan-sd", MultiCallProgram.storageDaemon), ("capstan-dir", .director), ("./capstan-fd", .fileDaemon),
        ("/usr/bin/capstan", .tools), ("capstan", .tools), ("/opt/x/capstan-sd.old", .tools), ("", .tools),
        ("capstan-sd/", .storageDaemon),
    ])
    func theNameItWasStartedUnderPicksTheProgram(argumentZero: String, program: MultiCallProgram) {
        #expect(MultiCallProgram(argumentZero: argumentZero) == program)
    }

    @Test func noNameIsTheTools() {
        #expect(MultiCallProgram(argumentZero: nil) == .tools)
    }

    /// The real binary through a link named like each daemon, as the package installs it: each answers as that daemon
    /// (its configuration check and its own help), and under its own name it is the console and tools.
    @Test func linksToCapstanRunTheDaemons() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-multicall")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capstan = Programs.directory.appendingPathComponent("capstan").path
        let checks: [(name: String, config: String, says: String)] = [
            ("capstan-sd", "bacula-sd", "Capstan Storage daemon"), ("capstan-dir", "bacula-dir", "Capstan Director"),
            ("capstan-fd", "bacula-fd", "Capstan File daemon"),
        ]
        for check in checks {
            let link = directory + "/" + check.name
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: capstan)
            let tested = try await Command.run(link, ["-t", "-c", "/etc/bacula/\(check.config).conf"])
            #expect(tested.status == 0, "\(check.name): \(tested.errors)")
            let help = try await Command.run(link, ["--help"])
            #expect(help.output.contains("OVERVIEW: \(check.says)"), "\(check.name): \(help.output)")
            #expect(help.output.contains("USAGE: \(check.name) "), "\(check.name): \(help.output)")
        }
        let tools = try await Command.run(capstan, ["--help"])
        #expect(tools.output.contains("OVERVIEW: Capstan console and tools."), "\(tools.output)")
    }
}
