import CapstanTestSupport
import Foundation
import Testing

/// The programs link the system's libraries (no bundled SQLite or LZ4; only the TLS layer, swift-nio-ssl, carries its own
/// BoringSSL, with prefixed symbols), as `ldd` shows.
@Suite struct LinkageTests {
    func sharedLibraries(of program: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [Programs.directory.appendingPathComponent(program).path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func directorUsesTheSystemSQLite() async throws {
        let libraries = try sharedLibraries(of: "capstan-dir")
        #expect(libraries.contains("libsqlite3.so.0 => /lib/x86_64-linux-gnu/libsqlite3.so.0")
            || libraries.contains("libsqlite3.so.0 => /usr/lib/"), "\(libraries)")
    }

    @Test func storageDaemonUsesTheSystemUdevOpenSSLAndLZ4() throws {
        let libraries = try sharedLibraries(of: "capstan-sd")
        for library in ["libudev.so.1", "libcrypto.so.3", "liblz4.so.1", "libz.so.1", "liblzo2.so.2"] {
            #expect(libraries.contains(library), "capstan-sd does not link \(library): \(libraries)")
        }
    }
}
