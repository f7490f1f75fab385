import BaculaWire
import CapstanTestSupport
import Foundation

/// The captured Director → FD connections (port 19102) of the repository's captures, as frames per direction with
/// the hello and the four authentication frames of each side removed.
struct CapturedDirectorSession {
    var fromDirector: [Frame]
    var fromFileDaemon: [Frame]
}

enum DirectorCaptures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/captures")

    /// Every connection to port 19102 of `file`, in order.
    static func sessions(_ file: String) throws -> [CapturedDirectorSession] {
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
        return try PcapReader.connections(in: bytes).filter { $0.serverPort == 19102 }.map { connection in
            CapturedDirectorSession(
                fromDirector: Array(try frames(connection.clientToServer).dropFirst(4)),
                fromFileDaemon: Array(try frames(connection.serverToClient).dropFirst(4)))
        }
    }

    /// Every connection to the SD port made by the FD (hello `Hello Bacula SD`), frames from the FD after the hello
    /// and the authentication.
    static func fileDaemonToStorage(_ file: String) throws -> [[Frame]] {
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
        return try PcapReader.connections(in: bytes).filter { $0.serverPort == 19103 }.compactMap { connection in
            let all = try frames(connection.clientToServer)
            guard let hello = all.first?.payload, hello.starts(with: Array("Hello Bacula SD".utf8)) else { return nil }
            return Array(all.dropFirst(3))
        }
    }

    static func frames(_ stream: [UInt8]) throws -> [Frame] {
        var decoder = PacketDecoder()
        decoder.append(stream)
        var frames: [Frame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return frames
    }
}
