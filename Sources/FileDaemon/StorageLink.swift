import BaculaWire
import FileDaemonProtocol
import Foundation
import Logging
import Net
import StorageProtocol

/// The FD → SD data connection of a job (spec §3.4.1): connect to the address the Director gave (a name this
/// host resolves), retrying every 10 s up to SD Connect Timeout, send the hello with the job name, answer and
/// challenge with the job key, read `3000 OK Hello`.
enum StorageLink {
    struct ConnectFailed: Error, CustomStringConvertible {
        var address: StorageAddress
        var reason: String
        var description: String { "Failed to connect to Storage daemon: \(address.host):\(address.port): \(reason)" }
    }

    /// Runs `body` with an authenticated connection; throws `ConnectFailed` when none could be made in time.
    static func withSession<R: Sendable>(
        address: StorageAddress, job: JobIdentity, clientName: String, options: ConnectionOptions,
        tls: TLSSettings = .none, connectTimeout: Duration, logger: Logger, _ body: (BsockConnection) async throws -> R
    ) async throws -> R {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: connectTimeout)
        var connected = false
        while true {
            do {
                return try await BsockClient.withConnection(host: address.host, port: address.port, options: options) { sd in
                    connected = true
                    try await sd.authenticateAsConnector(
                        hello: FileDaemonHelloToStorageDaemon(jobName: job.job).bytes, key: .jobKey(job.authorization),
                        challengeName: clientName, tls: tls, host: address.host)
                    return try await body(sd)
                }
            } catch {
                if connected { throw error }
                guard clock.now < deadline else { throw ConnectFailed(address: address, reason: "\(error)") }
                logger.warning("cannot reach the Storage daemon at \(address.host):\(address.port), retrying: \(error)")
                let wait = min(Duration.seconds(10), deadline - clock.now)
                try await Task.sleep(for: max(wait, .milliseconds(100)))
            }
        }
    }

    /// The SD's next reply line on the data connection (heartbeats skipped).
    static func reply(_ sd: BsockConnection, after command: String) async throws -> FileDaemonSessionReply {
        while let frame = try await sd.read() {
            guard case .payload(let bytes) = frame else { continue }
            return try FileDaemonSessionReply(parsing: bytes)
        }
        throw StorageSessionError(step: command, reason: "the Storage daemon closed the connection")
    }
}

/// A failure of the FD ↔ SD session, with the step it happened in.
struct StorageSessionError: Error, CustomStringConvertible {
    var step: String
    var reason: String
    var description: String { "Storage daemon session, \(step): \(reason)" }
}
