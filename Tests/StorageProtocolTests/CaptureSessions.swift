import CapstanTestSupport
import BaculaWire
import Foundation

/// The captured SD connections, decoded into frames (LZ4 undone) per direction, authentication removed.
struct CapturedSession {
    enum Peer { case director, fileDaemon }

    var peer: Peer
    /// Index of the TCP connection in its capture (the transcript's `s<N>`).
    var stream: Int
    /// The hello line the connecting side sent.
    var hello: [UInt8]
    /// Frames from the connecting side (Director or FD) after the four authentication frames.
    var incoming: [Frame]
    /// Frames from the SD after the four authentication frames (the last of which is `3000 OK Hello 306\n`).
    var outgoing: [Frame]
    /// Every frame of each direction, authentication included.
    var allIncoming: [Frame]
    var allOutgoing: [Frame]
}

enum Captures {
    /// The bytes of a capture in `Tests/Fixtures/captures`; throws `Fixtures.Missing` naming it when absent.
    static func bytes(_ name: String) throws -> [UInt8] { try Fixtures.bytes("captures/" + name) }

    /// Every connection to the SD port (19103) of a capture, in order of appearance.
    static func storageSessions(_ file: String) throws -> [CapturedSession] {
        try PcapReader.connections(in: bytes(file)).filter { $0.serverPort == 19103 }.map { connection in
            let incoming = try frames(connection.clientToServer)
            let outgoing = try frames(connection.serverToClient)
            guard let hello = incoming.first?.payload else { throw PcapError(description: "no hello") }
            let peer: CapturedSession.Peer =
                hello.starts(with: Array("Hello SD: Bacula Director".utf8)) ? .director : .fileDaemon
            return CapturedSession(
                peer: peer, stream: connection.index, hello: hello, incoming: Array(incoming.dropFirst(4)),
                outgoing: Array(outgoing.dropFirst(4)), allIncoming: incoming, allOutgoing: outgoing)
        }
    }

    static let backup = "bacula-backup-capture.pcap"
    static let console = "bacula-console-capture.pcap"

    /// The backup capture's sessions: [0] Director JobId 1, [1] FD backup, [2] Director JobId 2, [3] FD restore,
    /// [4] Director cancel.
    static func backupSessions() throws -> [CapturedSession] { try storageSessions(backup) }

    static func frames(_ stream: [UInt8]) throws -> [Frame] {
        var decoder = PacketDecoder()
        decoder.append(stream)
        var frames: [Frame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        try decoder.finish()
        return frames
    }

    /// Decodes one transcript payload rendering (`\n`, `\x00`, `\\` escapes) back to bytes.
    static func unescape(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "\\"), let next = bytes.popFirst() else {
                out.append(byte)
                continue
            }
            switch next {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "x"):
                let hex = String(decoding: bytes.prefix(2), as: UTF8.self)
                bytes = bytes.dropFirst(2)
                out.append(UInt8(hex, radix: 16) ?? 0)
            default: out.append(next)
            }
        }
        return out
    }
}

extension Frame {
    var text: String {
        switch self {
        case .payload(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .signal(let signal): return signal.description
        }
    }
}
