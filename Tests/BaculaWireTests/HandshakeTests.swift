import BaculaWire
import Testing

/// The handshake state machines of both roles talking to each other, with no I/O.
@Suite struct HandshakeTests {
    static func pair(acceptorKey: AuthKey, connectorKey: AuthKey, acceptorTLS: TLSNeed = .none) -> (Handshake, Handshake) {
        let acceptor = Handshake(
            acceptorKey: acceptorKey, challenge: Challenge(random: 1, time: 2, name: "capstan-sd"),
            welcome: WelcomeLine.storageDaemon(version: 306).bytes, tls: acceptorTLS)
        let connector = Handshake(
            connectorKey: connectorKey, challenge: Challenge(random: 3, time: 4, name: "capstan-dir"),
            hello: DirectorHelloToStorageDaemon(directorName: "capstan-dir").bytes)
        return (acceptor, connector)
    }

    /// Runs the two machines against each other, optionally slipping a heartbeat before every frame.
    static func converse(
        _ acceptor: inout Handshake, _ connector: inout Handshake, heartbeats: Bool = false
    ) -> (acceptor: Handshake.Action, connector: Handshake.Action) {
        var toAcceptor: [Frame] = []
        var toConnector: [Frame] = []
        var acceptorEnd: Handshake.Action?
        var connectorEnd: Handshake.Action?
        func collect(_ action: Handshake.Action, into queue: inout [Frame], end: inout Handshake.Action?) {
            switch action {
            case .send(let frames): queue += frames.flatMap { heartbeats ? [.signal(.heartbeat), $0] : [$0] }
            case .wait: break
            case .authenticated(let frames, _), .fail(let frames, _):
                queue += frames
                end = action
            }
        }
        collect(connector.start(), into: &toAcceptor, end: &connectorEnd)
        var acceptorStarted = false
        while acceptorEnd == nil || connectorEnd == nil {
            if !toAcceptor.isEmpty {
                let frame = toAcceptor.removeFirst()
                if !acceptorStarted, frame.signal != nil {
                    continue  // a heartbeat before the hello
                } else if !acceptorStarted {  // the acceptor reads the hello, then starts
                    acceptorStarted = true
                    collect(acceptor.start(), into: &toConnector, end: &acceptorEnd)
                } else if acceptorEnd == nil {
                    collect(acceptor.received(frame), into: &toConnector, end: &acceptorEnd)
                }
            } else if !toConnector.isEmpty {
                let frame = toConnector.removeFirst()
                if connectorEnd == nil { collect(connector.received(frame), into: &toAcceptor, end: &connectorEnd) }
            } else {
                if acceptorEnd == nil { acceptorEnd = acceptor.connectionClosed() }
                if connectorEnd == nil { connectorEnd = connector.connectionClosed() }
            }
        }
        return (acceptorEnd ?? .wait, connectorEnd ?? .wait)
    }

    @Test(arguments: [false, true])
    func rightPasswordAuthenticatesBothSides(heartbeats: Bool) {
        var (acceptor, connector) = Self.pair(acceptorKey: .password("secret"), connectorKey: .password("secret"))
        let (a, c) = Self.converse(&acceptor, &connector, heartbeats: heartbeats)
        guard case .authenticated(let sent, _) = a, case .authenticated(_, let outcome) = c else {
            Issue.record("expected success, got \(a) / \(c)")
            return
        }
        #expect(sent == [.payload(Array("3000 OK Hello 306\n".utf8))])
        #expect(outcome.welcome == .storageDaemon(version: 306))
        #expect(acceptor.step == .finished && connector.step == .finished)
    }

    @Test func wrongPasswordFailsTheAcceptorFirstAndTheConnectorSeesOnlyTheRefusal() {
        var (acceptor, connector) = Self.pair(acceptorKey: .password("secret"), connectorKey: .password("guess"))
        let (a, c) = Self.converse(&acceptor, &connector)
        #expect(a == .fail(sending: [.payload(AuthLine.failed)], .responseMismatch))
        #expect(c == .fail(sending: [], .rejectedByPeer(reply: "1999 Authorization failed.\\n")))
    }

    /// The connector checks the acceptor's response too (the acceptor cannot prove itself by echoing).
    @Test func connectorRejectsAWrongAcceptorResponse() {
        var connector = Handshake(
            connectorKey: .password("secret"), challenge: Challenge(random: 3, time: 4, name: "c"), hello: [0x48])
        _ = connector.start()
        _ = connector.received(.payload(ChallengeLine(challenge: "<1.2@a>").bytes))
        #expect(connector.received(.payload(AuthLine.ok)) == .send([.payload(ChallengeLine(challenge: "<3.4@c>").bytes)]))
        let compatible = Array(CRAMMD5.response(key: .password("secret"), challenge: "<3.4@c>", mode: .compatible).utf8)
        // Only Bacula's encoding is accepted by a connector; "<3.4@c>" has a digest whose encodings differ.
        if compatible != Array(CRAMMD5.response(key: .password("secret"), challenge: "<3.4@c>").utf8) {
            #expect(connector.received(.payload(compatible + [0])) == .fail(sending: [.payload(AuthLine.failed)], .responseMismatch))
        }
    }

    @Test func timeoutAndSignalsEndTheHandshake() {
        var (acceptor, _) = Self.pair(acceptorKey: .password("x"), connectorKey: .password("x"))
        _ = acceptor.start()
        #expect(acceptor.received(.signal(.heartbeat)) == .wait)
        #expect(acceptor.timedOut() == .fail(sending: [], .timedOut(step: .awaitingResponse)))
        var (other, _) = Self.pair(acceptorKey: .password("x"), connectorKey: .password("x"))
        _ = other.start()
        #expect(other.received(.signal(.terminate)) == .fail(sending: [], .unexpectedSignal(.terminate, step: .awaitingResponse)))
    }

    @Test func tlsRequiredByThePeerFails() {
        var (acceptor, connector) = Self.pair(
            acceptorKey: .password("x"), connectorKey: .password("x"), acceptorTLS: .required)
        let (a, c) = Self.converse(&acceptor, &connector)
        #expect(a == .fail(sending: [], .tlsMismatch(ours: 2, peers: 0)))
        #expect(c == .fail(sending: [.payload(AuthLine.ok)], .tlsMismatch(ours: 0, peers: 2)))
    }
}
