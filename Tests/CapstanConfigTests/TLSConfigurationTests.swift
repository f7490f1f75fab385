import CapstanConfig
import Testing

/// The TLS directives' start-up checks (Bacula 9.6's), reported as errors naming file and line; files are read
/// through the configuration's own source (in memory here).
@Suite struct TLSConfigurationTests {
    static let files = [
        "/tls/ca.pem": "-----BEGIN CERTIFICATE-----\n", "/tls/sd.pem": "-----BEGIN CERTIFICATE-----\n",
        "/tls/sd.key": "-----BEGIN PRIVATE KEY-----\n",
    ]

    func errors(_ storage: String, director: String = "", files: [String: String] = files) -> [ConfigDiagnostic] {
        let text = """
            Storage {
              Name = sd; Working Directory = /tmp; Pid Directory = /tmp
            \(storage)
            }
            Director {
              Name = dir; Password = p
            \(director)
            }
            Device { Name = D; Media Type = F; Archive Device = /t }
            Messages { Name = Standard; director = dir = all }
            """
        return ConfigLoader.load(text: text, name: "sd.conf", kind: .storage, source: InMemoryConfigSource(files)).diagnostics.errors
    }

    @Test func aCompleteSettingIsAccepted() {
        let found = errors(
            "  TLS Enable = yes; TLS Require = yes; TLS CA Certificate File = /tls/ca.pem\n"
                + "  TLS Certificate = /tls/sd.pem; TLS Key = /tls/sd.key\n  TLS Allowed CN = dir-a; TLS Allowed CN = dir-b")
        #expect(found.isEmpty, "\(found)")
    }

    @Test func requireWithoutEnableIsAnErrorAtItsLine() {
        let found = errors("  TLS Require = yes")
        #expect(found.count == 1)
        #expect(found.first?.description.hasPrefix("sd.conf:3:3: error: \"TLS Require = yes\" needs \"TLS Enable = yes\"") == true, "\(found)")
    }

    @Test func tlsAuthenticateIsRefusedRatherThanIgnored() {
        let found = errors("  TLS Authenticate = yes")
        #expect(found.map(\.location.line) == [3], "\(found)")
        #expect(found.first?.message.contains("not supported by Capstan") == true, "\(found)")
    }

    @Test func anUnreadableKeyIsNamedWithFileAndLine() {
        let found = errors(
            "  TLS Enable = yes; TLS CA Certificate File = /tls/ca.pem\n"
                + "  TLS Certificate = /tls/sd.pem\n  TLS Key = /tls/missing.key")
        #expect(found.map(\.location.line) == [5], "\(found)")
        #expect(found.first?.description.contains("cannot read TLS Key file \"/tls/missing.key\"") == true, "\(found)")
    }

    @Test func aServerWithoutCertificateOrAVerifyingOneWithoutCAIsRefused() {
        let found = errors("", director: "  TLS Enable = yes")
        #expect(found.count == 2, "\(found)")
        #expect(found.allSatisfy { $0.location.line == 7 && $0.resource == "Director \"dir\"" }, "\(found)")
        #expect(found.contains { $0.message.contains("\"TLS Certificate\" and \"TLS Key\" are required") })
        #expect(found.contains { $0.message.contains("a CA is required") })
        // Without TLS Verify Peer a server needs no CA.
        let unverified = errors(
            "", director: "  TLS Enable = yes; TLS Verify Peer = no; TLS Certificate = /tls/sd.pem; TLS Key = /tls/sd.key")
        #expect(unverified.isEmpty, "\(unverified)")
    }

    @Test func theDirectivesAreReadAsBaculaDefaultsThem() throws {
        let (configuration, _) = ConfigLoader.load(
            text: "Director {\n Name = d; Password = p\n TLS Enable = yes\n TLS Allowed CN = \"a b\"\n TLS Allowed CN = c\n}\n",
            name: "x.conf", kind: .storage)
        let director = try #require(configuration.resources(ofType: "Director").first)
        let tls = TLSDirectives(director)
        #expect(tls.enable && !tls.require && tls.verifyPeer)
        #expect(tls.allowedCNs == ["a b", "c"])
        #expect(tls.announced == 1)
    }
}
