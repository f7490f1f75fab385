import BaculaWire
import CapstanConfig
import Logging
import Net

/// Where a console connects and as whom, read from a bconsole-style configuration.
public struct ConsoleTarget: Sendable {
    public var directorName: String
    public var address: String
    public var port: Int
    /// `*UserAgent*` (the Director's own password) or a named Console resource.
    public var consoleName: String
    public var password: String
    /// TLS towards the Director (the console is the TLS client): the Console resource's directives when it has
    /// TLS enabled, else the Director resource's, as bconsole does.
    public var tls: TLSDirectives

    /// Reads the first Director of a console configuration (and the Console resource that names it, if any).
    public init?(_ configuration: Configuration) {
        guard let director = configuration.resources(ofType: "Director").first else { return nil }
        directorName = director.name
        address = director.string("Address") ?? "localhost"
        port = Int(director.integer("DIR Port") ?? 9101)
        let console = configuration.resources(ofType: "Console").first {
            $0.string("Director") == nil || $0.string("Director") == director.name
        }
        consoleName = console?.name ?? ConsoleHello.defaultConsoleName
        password = console?.string("Password") ?? director.string("Password") ?? ""
        let consoleTLS = console.map(TLSDirectives.init)
        tls = consoleTLS?.enable == true ? consoleTLS ?? TLSDirectives(director) : TLSDirectives(director)
    }
}

/// The Director refused the console's login.
public struct ConsoleLoginFailed: Error, CustomStringConvertible {
    public var target: ConsoleTarget
    public var reason: String

    public var description: String {
        "Director \"\(target.directorName)\" at \(target.address):\(target.port) refused the login of console "
            + "\"\(target.consoleName)\": \(reason). Most likely the passwords do not agree."
    }
}

/// A console conversation with a Director, as bconsole holds it when its input is not a terminal: log in, then
/// for each line of input send it as a command, echo it, and print the Director's output until the command ends.
public enum ConsoleSession {
    /// Runs the session. `nextLine` yields input lines (nil at end of input); `output` receives everything to print.
    /// Returns normally at end of input or when the Director closes; throws `ConsoleLoginFailed` on a refused login.
    public static func run(
        target: ConsoleTarget, options: ConnectionOptions, nextLine: () -> String?, output: (String) -> Void
    ) async throws {
        output("Connecting to Director \(target.address):\(target.port)\n")
        try await BsockClient.withConnection(host: target.address, port: target.port, options: options) { connection in
            let outcome: Handshake.Outcome
            do {
                outcome = try await connection.authenticateAsConnector(
                    hello: ConsoleHello(name: target.consoleName).bytes, key: .password(target.password),
                    challengeName: target.consoleName == ConsoleHello.defaultConsoleName ? "bconsole" : target.consoleName,
                    tls: try TLSSettings(target.tls, role: .client), host: target.address)
            } catch let failure as AuthenticationFailed {
                let reason: String
                if case .rejectedByPeer(let reply) = failure.reason {
                    reason = "it answered \"\(reply.trimmingCharacters(in: ["\n", "\0"]))\""
                } else {
                    reason = failure.reason.description
                }
                throw ConsoleLoginFailed(target: target, reason: reason)
            }
            if let welcome = outcome.welcome {
                output(String(decoding: welcome.bytes, as: UTF8.self))
                connection.compressOutgoing = CommCompression.allowed(
                    sender: .console, receiver: .director, peerVersion: welcome.version)
            }
            output("Enter a period to cancel a command.\n")
            var conversation = ConsoleConversation()
            while let line = nextLine() {
                let command = String(line.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
                output(command + "\n")
                conversation.sending(command: command)
                try await connection.write(text: command)
                reading: while true {
                    guard let frame = try await connection.readIncludingHeartbeats() else { return }
                    switch conversation.received(frame) {
                    case .show(let bytes):
                        output(String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self))
                    case .keepReading:
                        continue
                    case .answerPrompt:
                        guard let answer = nextLine() else {
                            try await connection.write(.signal(.terminate))
                            return
                        }
                        output(answer + "\n")
                        try await connection.write(text: answer)
                    case .commandFinished:
                        break reading
                    case .closed:
                        return
                    }
                }
            }
            try await connection.write(.signal(.terminate))
        }
    }
}
