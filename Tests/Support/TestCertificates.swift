import Foundation

/// A small CA and certificates for the TLS tests, made with the `openssl` command (P-256 ECDSA, SHA-256): each
/// leaf names its daemon in the commonName and has `DNS:localhost` and `IP:127.0.0.1` as subjectAltNames, so a
/// Bacula client connecting to 127.0.0.1 accepts it (9.6 falls back to `localhost`).
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }

    /// Certificate and key of `name` (made by `make(names:)`).
    public func certificate(_ name: String) -> String { directory + "/\(name).pem" }
    public func key(_ name: String) -> String { directory + "/\(name).key" }

    /// TLS directives for a resource that uses `name`'s certificate; `extra` is added as is.
    public func directives(_ name: String, require: Bool = false, extra: String = "") -> String {
        """
        TLS Enable = yes; TLS Require = \(require ? "yes" : "no")
          TLS CA Certificate File = "\(caFile)"
          TLS Certificate = "\(certificate(name))"; TLS Key = "\(key(name))"
          \(extra)
        """
    }

    /// Runs `capstan tls init` into `directory` for the names of `BaculaSystem` (director `system-dir`, storage
    /// `system-sd`, client `system-fd`, console `console`): the same layout as `make(in:names:)`.
    public static func capstanInit(in directory: String) async throws -> TestCertificates {
        let result = try await Programs.run(
            "capstan",
            ["tls", "init", directory, "--director", "system-dir", "--storage", "system-sd", "--client", "system-fd",
             "--console", "console"])
        guard result.status == 0 else { throw CommandFailure(description: "capstan tls init: \(result.errors)") }
        return TestCertificates(directory: directory)
    }

    /// Makes a CA named `caName` in `directory` and a certificate for each of `names` with the `openssl` command.
    public static func make(in directory: String, caName: String = "Capstan Test CA", names: [String]) async throws
        -> TestCertificates
    {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        func openssl(_ arguments: [String]) async throws {
            let result = try await Command.run("/usr/bin/openssl", arguments)
            guard result.status == 0 else {
                throw CommandFailure(description: "openssl \(arguments.joined(separator: " ")): \(result.errors)")
            }
        }
        let ca = directory + "/ca"
        try await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca + ".key"])
        try await openssl([
            "req", "-x509", "-new", "-key", ca + ".key", "-sha256", "-days", "30", "-subj", "/CN=\(caName)",
            "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", ca + ".pem",
        ])
        for name in names {
            let base = directory + "/" + name
            try await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", base + ".key"])
            try await openssl(["req", "-new", "-key", base + ".key", "-subj", "/CN=\(name)", "-out", base + ".csr"])
            try """
            basicConstraints=CA:false
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth,clientAuth
            subjectAltName=DNS:localhost,IP:127.0.0.1
            subjectKeyIdentifier=hash
            """.write(toFile: base + ".ext", atomically: true, encoding: .utf8)
            try await openssl([
                "x509", "-req", "-in", base + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-sha256", "-days", "30", "-extfile", base + ".ext", "-out", base + ".pem",
            ])
        }
        return certificates
    }
}
