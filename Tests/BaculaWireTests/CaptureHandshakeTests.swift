import CapstanTestSupport
import BaculaWire
import Testing

/// Replays every handshake of both saved captures through `Handshake`, in both roles: fed the real peer's frames and
/// given the challenge the real daemon used, each side must send exactly the bytes the real daemon sent.
@Suite struct CaptureHandshakeTests {
    /// Passwords of the capture setup (spec §2.4, §6).
    static let passwords = [
        "console:*UserAgent*": "dirpass", "console:proto-con": "conpass", "fd:proto-dir": "fdpass",
        "sd:proto-dir": "sdpass",
    ]

    struct Conversation {
        var connection: TCPConnection
        var fromConnector: [Frame]
        var fromAcceptor: [Frame]
    }

    static func conversations(_ capture: Capture) throws -> [Conversation] {
        try capture.connections().map { connection in
            Conversation(
                connection: connection, fromConnector: try frames(connection.clientToServer),
                fromAcceptor: try frames(connection.serverToClient))
        }
    }

    static func frames(_ bytes: [UInt8]) throws -> [Frame] {
        var decoder = PacketDecoder()
        decoder.append(bytes)
        var frames: [Frame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return frames
    }

    /// The key the acceptor chose for this hello: found from the typed hello, as a daemon would.
    static func key(for conversation: Conversation, jobKeys: [String: String]) throws -> AuthKey {
        let hello = conversation.fromConnector.first?.payload ?? []
        switch conversation.connection.serverPort {
        case 19101:
            let parsed = try ConsoleHello(parsing: hello)
            return .password(try #require(passwords["console:\(parsed.name)"]))
        case 19102:
            guard case .director(let parsed) = try FileDaemonIncomingHello(parsing: hello) else {
                throw PcapError(description: "unexpected FD hello")
            }
            return .password(try #require(passwords["fd:\(parsed.directorName)"]))
        default:
            switch try StorageDaemonIncomingHello(parsing: hello) {
            case .director(let parsed): return .password(try #require(passwords["sd:\(parsed.directorName)"]))
            case .fileDaemon(let parsed): return .jobKey(try #require(jobKeys[parsed.jobName]))
            case .storageDaemon: throw PcapError(description: "unexpected SD-calls-client hello")
            }
        }
    }

    /// Job name → authorization key, from the Director→FD `JobId=… Job=… Authorization=…` lines.
    static func jobKeys(_ conversations: [Conversation]) -> [String: String] {
        var keys: [String: String] = [:]
        for conversation in conversations {
            for frame in conversation.fromConnector {
                guard let bytes = frame.payload,
                    let values = BScanf.scan(bytes, format: "JobId=%d Job=%127s SDid=%d SDtime=%d Authorization=%100s"),
                    values.count == 5, let job = values[1].string, let key = values[4].string
                else { continue }
                keys[job] = key
            }
        }
        return keys
    }

    static func challenge(_ frame: Frame?) throws -> Challenge {
        let line = try #require(frame?.payload.flatMap(ChallengeLine.init(parsing:)))
        let values = try #require(BScanf.scan(Array(line.challenge.utf8), format: "<%u.%u@%s"))
        let name = try #require(values[2].string?.dropLast())  // drop ">"
        return Challenge(
            random: UInt32(try #require(values[0].number)), time: UInt32(try #require(values[1].number)),
            name: String(name))
    }

    /// Runs a handshake against recorded peer frames; returns what it sent and how it ended.
    static func replay(_ handshake: inout Handshake, peer: [Frame]) -> (sent: [Frame], end: Handshake.Action?) {
        var sent: [Frame] = []
        var action = handshake.start()
        var peerFrames = peer[...]
        while true {
            switch action {
            case .send(let frames):
                sent += frames
            case .wait:
                break
            case .authenticated(let frames, _), .fail(let frames, _):
                sent += frames
                return (sent, action)
            }
            guard let next = peerFrames.popFirst() else { return (sent, nil) }
            action = handshake.received(next)
        }
    }

    @Test(arguments: Capture.allCases)
    func acceptorSendsWhatTheRealAcceptorSent(capture: Capture) throws {
        let conversations = try Self.conversations(capture)
        let jobKeys = Self.jobKeys(conversations)
        var authenticated = 0
        for conversation in conversations {
            let key = try Self.key(for: conversation, jobKeys: jobKeys)
            let welcome = conversation.fromAcceptor.count > 3 ? conversation.fromAcceptor[3].payload : nil
            var handshake = Handshake(
                acceptorKey: key, challenge: try Self.challenge(conversation.fromAcceptor.first), welcome: welcome)
            let (sent, end) = Self.replay(&handshake, peer: Array(conversation.fromConnector.dropFirst()))
            #expect(sent == Array(conversation.fromAcceptor.prefix(sent.count)), "stream \(conversation.connection.index)")
            switch end {
            case .authenticated:
                authenticated += 1
                #expect(sent.count == 4)
                #expect(WelcomeLine(parsing: welcome ?? [])?.bytes == welcome)
            case .fail(_, .responseMismatch):
                // The wrong-password login of the console capture: the real Director refused it too.
                #expect(sent.last == .payload(AuthLine.failed))
                #expect(conversation.fromAcceptor.dropFirst(sent.count).first == .payload(AuthLine.consoleNotAuthorized))
            default:
                Issue.record("stream \(conversation.connection.index) ended with \(String(describing: end))")
            }
        }
        #expect(authenticated == conversations.count - (capture == .console ? 1 : 0))
    }

    @Test(arguments: Capture.allCases)
    func connectorSendsWhatTheRealConnectorSent(capture: Capture) throws {
        let conversations = try Self.conversations(capture)
        let jobKeys = Self.jobKeys(conversations)
        var replayed = 0
        for conversation in conversations where conversation.fromConnector.count > 3 {
            guard conversation.fromAcceptor.dropFirst().first == .payload(AuthLine.ok) else { continue }
            let key = try Self.key(for: conversation, jobKeys: jobKeys)
            let hello = try #require(conversation.fromConnector.first?.payload)
            var handshake = Handshake(
                connectorKey: key, challenge: try Self.challenge(conversation.fromConnector[2]), hello: hello)
            let (sent, end) = Self.replay(&handshake, peer: conversation.fromAcceptor)
            #expect(sent == Array(conversation.fromConnector.prefix(4)), "stream \(conversation.connection.index)")
            guard case .authenticated(_, let outcome) = end else {
                Issue.record("stream \(conversation.connection.index) ended with \(String(describing: end))")
                continue
            }
            #expect(outcome.welcome?.bytes == conversation.fromAcceptor[3].payload)
            #expect(outcome.peerTLS == 0)
            replayed += 1
        }
        #expect(replayed == conversations.count - (capture == .console ? 1 : 0))
    }

    /// Every captured hello parses into its typed value and prints back byte for byte.
    @Test(arguments: Capture.allCases)
    func hellosRoundTrip(capture: Capture) throws {
        for conversation in try Self.conversations(capture) {
            let hello = try #require(conversation.fromConnector.first?.payload)
            let printed: [UInt8]
            switch conversation.connection.serverPort {
            case 19101: printed = try ConsoleHello(parsing: hello).bytes
            case 19102:
                guard case .director(let parsed) = try FileDaemonIncomingHello(parsing: hello) else {
                    Issue.record("FD hello not from a Director")
                    continue
                }
                printed = parsed.bytes
            default:
                switch try StorageDaemonIncomingHello(parsing: hello) {
                case .director(let parsed): printed = parsed.bytes
                case .fileDaemon(let parsed):
                    printed = parsed.bytes
                    #expect(parsed.storageVersion == nil && parsed.acceptsCompression)
                case .storageDaemon(let parsed): printed = parsed.bytes
                }
            }
            #expect(printed == hello)
        }
    }
}
