import BaculaWire
import Testing

/// The pure `ssl=` decision of spec §2.7 (every announced value against every local setting), the certificate-name
/// checks, and where the handshake value says the stream switches to TLS.
@Suite struct TLSNegotiationTests {
    @Test(arguments: [
        (TLSNeed.none, 0, TLSNegotiation.plain),
        (.none, 1, .plain),
        (.none, 2, .refuse(.peerRequiresTLS)),
        (.ok, 0, .plain),
        (.ok, 1, .startTLS),
        (.ok, 2, .startTLS),
        (.required, 0, .refuse(.peerDidNotAdvertiseTLS)),
        (.required, 1, .startTLS),
        (.required, 2, .startTLS),
    ])
    func decision(ours: TLSNeed, peers: Int, expected: TLSNegotiation) {
        #expect(TLSNegotiation.decide(ours: ours, peers: peers) == expected)
    }

    @Test func refusalsUseBaculasWording() {
        #expect("\(TLSNegotiation.Refusal.peerRequiresTLS)" == "Authorization problem: Remote server requires TLS.")
        #expect(
            "\(TLSNegotiation.Refusal.peerDidNotAdvertiseTLS)"
                == "Authorization problem: Remote server did not advertise required TLS support.")
    }

    @Test func allowedCommonNamesIgnoreCase() {
        #expect(TLSPeerNames.commonNameAllowed("Backup-Dir", allowed: ["other", "backup-dir"]))
        #expect(!TLSPeerNames.commonNameAllowed("backup-dir", allowed: ["other"]))
        #expect(!TLSPeerNames.commonNameAllowed(nil, allowed: ["other"]))
    }

    @Test func theServerCertificateMustNameTheHost() {
        #expect(TLSPeerNames.hostMatches(host: "sd.example.com", dnsNames: ["SD.example.com"], commonName: nil))
        #expect(TLSPeerNames.hostMatches(host: "sd.example.com", dnsNames: [], commonName: "sd.example.com"))
        #expect(!TLSPeerNames.hostMatches(host: "sd.example.com", dnsNames: ["other"], commonName: "capstan-sd"))
        // 9.6 also accepts `localhost` for 127.0.0.1, and nothing else for an address.
        #expect(TLSPeerNames.hostMatches(host: "127.0.0.1", dnsNames: ["localhost"], commonName: nil))
        #expect(!TLSPeerNames.hostMatches(host: "127.0.0.2", dnsNames: ["localhost"], commonName: nil))
    }

    /// Both sides announce TLS: the acceptor is told to hold its input before its response (the connector's verdict
    /// is the last plaintext frame), the connector starts TLS right after sending `1000 OK auth`, and both outcomes
    /// say TLS.
    @Test func theHandshakeSaysWhereTLSBegins() {
        var acceptor = Handshake(
            acceptorKey: .password("x"), challenge: Challenge(random: 1, time: 2, name: "sd"),
            welcome: WelcomeLine.storageDaemon(version: 306).bytes, tls: .ok)
        var connector = Handshake(
            connectorKey: .password("x"), challenge: Challenge(random: 3, time: 4, name: "dir"),
            hello: DirectorHelloToStorageDaemon(directorName: "dir").bytes, tls: .required)
        guard case .send(let hello) = connector.start(), case .send(let challenge) = acceptor.start() else {
            Issue.record("no start")
            return
        }
        _ = hello
        guard case .send(let response) = connector.received(challenge[0]) else { Issue.record("no response"); return }
        #expect(!connector.tlsStartsNow)
        guard case .send(let ok) = acceptor.received(response[0]) else { Issue.record("no verdict"); return }
        guard case .send(let back) = connector.received(ok[0]) else { Issue.record("no challenge back"); return }
        #expect(!acceptor.tlsFollowsNextFrame)
        guard case .send(let answer) = acceptor.received(back[0]) else { Issue.record("no answer"); return }
        #expect(acceptor.tlsFollowsNextFrame)
        guard case .send(let verdict) = connector.received(answer[0]) else { Issue.record("no final verdict"); return }
        #expect(verdict == [.payload(AuthLine.ok)])
        #expect(connector.tlsStartsNow)
        guard case .authenticated(let welcome, let outcome) = acceptor.received(verdict[0]) else {
            Issue.record("acceptor not authenticated")
            return
        }
        #expect(outcome.tls)
        guard case .authenticated(_, let connectorOutcome) = connector.received(welcome[0]) else {
            Issue.record("connector not authenticated")
            return
        }
        #expect(connectorOutcome.tls)
    }
}
