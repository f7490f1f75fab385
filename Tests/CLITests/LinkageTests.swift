import CapstanTestSupport
import Foundation
import Testing

/// The programs link the system's libraries (no bundled SQLite or LZ4; only the TLS layer, swift-nio-ssl, carries its own
/// BoringSSL, with prefixed symbols), as `ldd` shows.
@Suite struct LinkageTests {
    func sharedLibraries(of program: String) async throws -> String {
        try await Command.run("/usr/bin/ldd", [Programs.directory.appendingPathComponent(program).path]).output
    }

    @Test func directorUsesTheSystemSQLite() async throws {
        let libraries = try await sharedLibraries(of: "capstan-dir")
        #expect(libraries.contains("libsqlite3.so.0 => /lib/x86_64-linux-gnu/libsqlite3.so.0")
            || libraries.contains("libsqlite3.so.0 => /usr/lib/"), "\(libraries)")
    }

    @Test func storageDaemonUsesTheSystemUdevOpenSSLAndLZ4() async throws {
        let libraries = try await sharedLibraries(of: "capstan-sd")
        for library in ["libudev.so.1", "libcrypto.so.3", "liblz4.so.1", "libz.so.1", "liblzo2.so.2"] {
            #expect(libraries.contains(library), "capstan-sd does not link \(library): \(libraries)")
        }
    }
}
