import BaculaWire
import FileDaemonProtocol
import Foundation
import Net
import Synchronization

/// A File daemon that is not one, for hostile-peer tests: it listens as a Client of the real bacula-dir and answers
/// the Director with capstan-fd's own conversation machine, so the Director starts a real job on the Storage daemon
/// and hands over that job's key. It then connects to the SD with the job's name and key, as the job's FD, and at
/// the Director's `backup` lets the test's `Attack` talk to the SD in place of a record stream. Afterwards it reports
/// the job failed to the Director, as an FD whose SD session broke would. One outcome per job, in order.
final class HostileFileDaemon: Sendable {
    /// What an attack saw: the SD's reply lines and whether the SD (not the attack's own watchdog) ended the link.
    struct Outcome: Sendable {
        var job: JobIdentity
        var replies: [String]
        var closedBySD: Bool
    }

    /// Talks to the SD on the authenticated data connection of `job`.
    typealias Attack = @Sendable (_ sd: BsockConnection, _ job: JobIdentity) async -> Outcome

    let port: Int
    let outcomes: AsyncStream<Outcome>
    private let continuation: AsyncStream<Outcome>.Continuation
    private let attack = Mutex<Attack?>(nil)
    private let serving = Mutex<Task<Void, Never>?>(nil)
    private let server: BsockServer

    private init(port: Int, server: BsockServer) {
        self.port = port
        self.server = server
        (outcomes, continuation) = AsyncStream<Outcome>.makeStream()
    }

    /// Listens on 127.0.0.1:`port` for Director `directorName` with `password`.
    static func start(port: Int, name: String, directorName: String, password: String) async throws -> HostileFileDaemon {
        let server = try await BsockServer.bind(host: "127.0.0.1", port: port)
        let daemon = HostileFileDaemon(port: port, server: server)
        let task = Task<Void, Never> {
            _ = try? await server.run(
                decide: { hello, _ in
                    guard case .director(let director)? = try? FileDaemonIncomingHello(parsing: hello),
                        director.directorName == directorName
                    else { return .reject(reason: "not the test's Director", claimedName: nil, reply: nil) }
                    return .authenticate(
                        key: .password(password), challengeName: name, welcome: FileDaemonReply.welcome,
                        claimedName: directorName)
                },
                handler: { accepted in try await daemon.serve(accepted.connection, name: name) })
        }
        daemon.serving.withLock { $0 = task }
        return daemon
    }

    /// Stops listening and forgets the attack. The serving task holds this daemon and the attack holds the test's
    /// system, so without this neither is ever released and the test's Bacula daemons outlive it.
    func stop() async {
        attack.withLock { $0 = nil }
        serving.withLock { $0?.cancel() }
        await server.close()
    }

    /// The attack the next job's data connection gets.
    func next(_ attack: @escaping Attack) { self.attack.withLock { $0 = attack } }

    /// The next outcome, or nil when none came within `seconds`.
    func outcome(within seconds: Double) async -> Outcome? {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                var iterator = self.outcomes.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func serve(_ director: BsockConnection, name: String) async throws {
        var conversation = DirectorConversation(uname: "capstan-tests hostile-fd")
        var pending: [DirectorConversation.Action] = []
        func nextAction() async throws -> DirectorConversation.Action? {
            while pending.isEmpty {
                guard let frame = try await director.read() else { return nil }
                pending = conversation.received(frame, nowMicroseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
            }
            return pending.removeFirst()
        }
        while let action = try await nextAction() {
            switch action {
            case .send(let frames):
                for frame in frames { try await director.write(frame) }
            case .close:
                return
            case .runBeforeScripts:
                pending = conversation.beforeScriptsFinished(true) + pending
            case .connectStorage(let address, let job):
                let attack = self.attack.withLock { $0 }
                let outcome = try await BsockClient.withConnection(host: address.host, port: address.port) { sd in
                    try await sd.authenticateAsConnector(
                        hello: FileDaemonHelloToStorageDaemon(jobName: job.job).bytes, key: .jobKey(job.authorization),
                        challengeName: name)
                    pending = conversation.storageConnected(true) + pending
                    // On with the Director until its `backup`; then the attack instead of the data.
                    while let action = try await nextAction() {
                        switch action {
                        case .send(let frames):
                            for frame in frames { try await director.write(frame) }
                        case .runBeforeScripts:
                            pending = conversation.beforeScriptsFinished(true) + pending
                        case .startBackup:
                            return await attack?(sd, job) ?? Outcome(job: job, replies: [], closedBySD: false)
                        case .close:
                            return Outcome(job: job, replies: ["the Director ended the conversation"], closedBySD: false)
                        default:
                            continue
                        }
                    }
                    return Outcome(job: job, replies: ["the Director closed the connection"], closedBySD: false)
                }
                continuation.yield(outcome)
                // Tell the Director the job failed, as an FD whose SD session broke would; then it hangs up.
                pending = conversation.backupFinished(EndJobReport(status: .fatal, files: 0, readBytes: 0, jobBytes: 0, errors: 1))
                    + pending
            default:
                continue
            }
        }
    }

    deinit {
        serving.withLock { $0?.cancel() }
        continuation.finish()
    }
}
