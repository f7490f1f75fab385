import CapstanTestSupport
import Foundation
import Testing

/// A real bacula-dir asks capstan-sd for its status (from a real bconsole).
@Suite(.serialized) struct StorageStatusInteropTests {
    @Test func realDirectorPrintsCapstanStatus() async throws {
        let sd = try await CapstanStorageDaemon.start(directorName: "interop-dir", password: "sd-secret")
        let director = try await RealDirector.start(storagePort: sd.port, storagePassword: "sd-secret")
        let result = try await director.bconsole(["status storage=CapstanStorage"])
        #expect(result.status == 0)
        #expect(result.output.contains("interop-sd Version: ") && result.output.contains("(Bacula 9.6 protocol)"), "\(result.output)\n\(sd.log)")
        #expect(result.output.contains("Daemon started "))
        #expect(result.output.contains("No Jobs running."))
        #expect(result.output.contains("Device File: \"FileDev\" (\(sd.directory)/volumes) is not open."))
        #expect(result.output.contains("Spool: 0 bytes used in \(sd.directory)"))
    }

    @Test func mismatchedPasswordIsReportedByTheDirectorAndLoggedByCapstan() async throws {
        let sd = try await CapstanStorageDaemon.start(directorName: "interop-dir", password: "sd-secret")
        let director = try await RealDirector.start(storagePort: sd.port, storagePassword: "something-else")
        let result = try await director.bconsole(["status storage=CapstanStorage", "messages"])
        #expect(result.output.contains("Failed to connect to Storage daemon CapstanStorage"))
        #expect(result.output.contains("Director unable to authenticate with Storage daemon"))
        #expect(sd.log.contains("authentication failed"), "\(sd.log)")
        #expect(sd.log.contains("claimed-name=interop-dir"))
        #expect(!result.output.contains("interop-sd Version"))
    }
}
