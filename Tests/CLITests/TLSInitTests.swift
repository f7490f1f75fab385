import CapstanTestSupport
import Foundation
import Testing

/// `capstan tls init DIR`: a CA and P-256 certificates that OpenSSL verifies, keys only the owner can read, the
/// directive lines to paste, and no overwriting of an existing CA. (The real daemons accepting them is
/// `TLSInteropTests`.)
@Suite struct TLSInitTests {
    @Test func makesACAAndCertificatesThatOpenSSLVerifies() async throws {
        let directory = try RealBacula.temporaryDirectory("capstan-tls-init") + "/tls"
        let result = try await Programs.run(
            "capstan", ["tls", "init", directory, "--client", "fd-a", "--client", "fd-b", "--host", "backup.example.com",
                        "--host", "10.1.2.3"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("TLS CA Certificate File = \"\(directory)/ca.pem\""), "\(result.output)")
        #expect(result.output.contains("TLS Certificate = \"\(directory)/storage.pem\"; TLS Key = \"\(directory)/storage.key\""))
        #expect(result.output.contains("# File daemon \"fd-b\""))
        for name in ["director", "storage", "console", "fd-a", "fd-b"] {
            let verify = try await Command.run("/usr/bin/openssl", ["verify", "-CAfile", directory + "/ca.pem", directory + "/\(name).pem"])
            #expect(verify.status == 0 && verify.output.contains(": OK"), "\(name): \(verify.output) \(verify.errors)")
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/\(name).key")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        let text = try await Command.run("/usr/bin/openssl", ["x509", "-noout", "-text", "-in", directory + "/storage.pem"])
        for expected in ["Subject: CN = storage", "DNS:localhost", "IP Address:127.0.0.1", "DNS:backup.example.com",
                         "IP Address:10.1.2.3", "TLS Web Server Authentication, TLS Web Client Authentication",
                         "ASN1 OID: prime256v1", "CA:FALSE"] {
            #expect(text.output.contains(expected), "\(expected) missing in \(text.output)")
        }
        let ca = try await Command.run("/usr/bin/openssl", ["x509", "-noout", "-text", "-in", directory + "/ca.pem"])
        #expect(ca.output.contains("CA:TRUE"), "\(ca.output)")

        let again = try await Programs.run("capstan", ["tls", "init", directory])
        #expect(again.status != 0)
        #expect(again.errors.contains("ca.pem exists already"), "\(again.errors)")
        RealBacula.removeTemporaryDirectory((directory as NSString).deletingLastPathComponent)
    }
}
