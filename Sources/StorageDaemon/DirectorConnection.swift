import BaculaWire
import Logging
import Net

/// One Director connection on the Storage daemon: reads commands (one per packet, spec §3.3.6) and answers them.
struct DirectorConnection {
    let connection: BsockConnection
    let daemon: StorageDaemon
    let logger: Logger

    func serve() async throws {
        logger.debug("Director connected")
        while let frame = try await connection.read() {
            guard case .payload(let bytes) = frame else {
                if frame.signal == .terminate || frame.signal == .externalTerminate { break }
                continue
            }
            let command = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            let verb = command.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            switch verb {
            case "status", ".status":
                for line in daemon.statusReport().lines {
                    try await connection.write(.payload(Array(line.utf8) + [0]))
                }
                try await connection.write(.signal(.endOfData))
            default:
                let shown = command.trimmingCharacters(in: .newlines)
                logger.warning("unknown Director command", metadata: ["command": "\(shown)"])
                try await connection.write(text: "3900 Invalid command: \(shown)\n")
                try await connection.write(.signal(.endOfData))
                return
            }
        }
        logger.debug("Director disconnected")
    }
}
