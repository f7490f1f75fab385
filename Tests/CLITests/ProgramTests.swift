import CapstanTestSupport
import Foundation
import Testing

@Suite struct ProgramTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CapstanConfigTests/Fixtures").path

    @Test func storageDaemonAcceptsTheDebianStockFile() async throws {
        let result = try await Programs.run("capstan-sd", ["-t", "-c", "/etc/bacula/bacula-sd.conf"])
        #expect(result.status == 0, "\(result.errors)")
    }

    @Test func storageDaemonPrintsEveryErrorAndFails() async throws {
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
        let result = try await Programs.run("capstan-sd", ["-t", "-c", path])
        #expect(result.status == 78)
        #expect(result.errors.contains("\(path):6:3: error: unknown directive \"Maximum Blok Size\""))
        #expect(result.errors.contains("did you mean \"Maximum Block Size\"?"))
        #expect(result.errors.contains("\(path):7:17: error: \"sometimes\" is not yes or no"))
        #expect(result.errors.contains("2 errors"))
    }

    @Test(arguments: ["bacula-sd", "bacula-fd", "bacula-dir", "bconsole"])
    func configCheckAcceptsEveryStockFile(name: String) async throws {
        let result = try await Programs.run("capstan", ["config", "check", "/etc/bacula/\(name).conf"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.contains("valid"))
    }

    @Test func configCheckWithTheWrongKindFails() async throws {
        let result = try await Programs.run("capstan", ["config", "check", "--for", "fd", "/etc/bacula/bacula-sd.conf"])
        #expect(result.status == 78)
        #expect(result.errors.contains("unknown resource type \"Storage\" in a File daemon configuration"))
    }

    @Test func configShowFillsDefaultsAndParsesBack() async throws {
        let shown = try await Programs.run("capstan", ["config", "show", Self.fixtures + "/seed-sd.conf"])
        #expect(shown.status == 0, "\(shown.errors)")
        #expect(shown.output.contains("Maximum Block Size = 1048576  # 1M"))
        #expect(shown.output.contains("Maximum File Size = 1000000000  # (default) 1 GB\n"))
        let path = try Programs.temporaryFile(shown.output, name: "shown.conf")
        let again = try await Programs.run("capstan", ["config", "show", path])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("Maximum Block Size = 1048576  # 1M"))
        #expect(again.output.contains("Maximum File Size = 1000000000  # 1 GB\n"))
        #expect(again.output.split(separator: "\n").count == shown.output.split(separator: "\n").count)
    }

    @Test func missingFileIsAClearError() async throws {
        let result = try await Programs.run("capstan-sd", ["-t", "-c", "/nonexistent/capstan-sd.conf"])
        #expect(result.status == 78)
        #expect(result.errors == "/nonexistent/capstan-sd.conf: no such configuration file (pass another with -c FILE)\n")
    }

    @Test func toolsWithoutAConfigurationSayWhatWasLookedForInOneLine() async throws {
        // Nothing in the tests' world is a medium changer; /etc/capstan is absent unless the package is installed,
        // and then the example configuration has no Autochanger either: both end in udev's (empty) inventory.
        let result = try await Programs.run("capstan", ["changer", "--device", "NO-SUCH-CHANGER", "status"])
        #expect(result.status == 1)
        #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
        #expect(result.errors.hasPrefix("capstan changer: udev shows no medium changer \"NO-SUCH-CHANGER\""), "\(result.errors)")
        let named = try await Programs.run("capstan", ["changer", "-c", "/nonexistent/sd.conf", "status"])
        #expect(named.status == 78 && named.errors == "/nonexistent/sd.conf: no such configuration file (pass another with -c FILE)\n")
    }
}
