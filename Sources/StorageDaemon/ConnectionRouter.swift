import BaculaWire
import CapstanConfig
import Net

/// Decides what the Storage daemon does with a new connection from its first packet (spec §2.8, §7.1): a Director
/// it knows is challenged with its password; an FD is challenged with its job's key; anything else is refused.
/// Pure: the decision depends only on the hello, the configuration and the job table it is given.
public struct ConnectionRouter: Sendable {
    /// The welcome the SD sends an authenticated Director (and the FD, with its own version).
    public static let directorWelcome = WelcomeLine.storageDaemon(version: 306).bytes

    public let storageName: String
    public let directors: [StorageDaemonConfiguration.Director]
    /// Each Director resource's TLS setting by name (none: no TLS, `ssl=0`).
    public let directorTLS: [String: TLSSettings]

    public init(configuration: StorageDaemonConfiguration, directorTLS: [String: TLSSettings] = [:]) {
        storageName = configuration.storage.name
        directors = configuration.directors
        self.directorTLS = directorTLS
    }

    /// What the connection is, once the hello parsed.
    public enum Peer: Equatable, Sendable {
        case director(name: String)
        case fileDaemon(jobName: String)
    }

    /// The decision for a first packet; `jobKey` looks up the authorization key of a running job by its name.
    public func decide(hello: [UInt8], jobKey: (String) -> String?) -> (FirstFrameDecision, Peer?) {
        let parsed: StorageDaemonIncomingHello
        do {
            parsed = try StorageDaemonIncomingHello(parsing: hello)
        } catch {
            let shown = String(decoding: hello.prefix(60), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
            return (.reject(reason: "not a Bacula Director or File daemon: \(error) (first packet \"\(shown)\")",
                claimedName: nil, reply: nil), nil)
        }
        switch parsed {
        case .director(let director):
            guard let known = directors.first(where: { $0.name.lowercased() == director.directorName.lowercased() }) else {
                return (.reject(reason: "Director \"\(director.directorName)\" is not in this Storage daemon's configuration",
                    claimedName: director.directorName, reply: nil), nil)
            }
            return (.authenticate(key: .password(known.password), challengeName: storageName,
                welcome: Self.directorWelcome, claimedName: known.name, tls: directorTLS[known.name] ?? .none),
                .director(name: known.name))
        case .fileDaemon(let fileDaemon):
            guard jobKey(fileDaemon.jobName) != nil else {
                return (.reject(reason: "File daemon for job \"\(fileDaemon.jobName)\": no such job is waiting for its client",
                    claimedName: fileDaemon.jobName, reply: nil), nil)
            }
            // The File-daemon session runs the handshake itself, with the job's key (FileDaemonSessionMachine).
            return (.handOver, .fileDaemon(jobName: fileDaemon.jobName))
        case .storageDaemon(let storage):
            return (.reject(reason: "Storage-daemon-to-File-daemon connections are not supported (job \"\(storage.jobName)\")",
                claimedName: storage.jobName, reply: nil), nil)
        }
    }
}
