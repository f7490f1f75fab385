import BaculaWire
import CapstanConfig
import Catalog
import Foundation
import Logging
import Net
import ServiceLifecycle

/// The Director daemon as a service: listens on its DIR addresses for consoles, runs the scheduler, and on a
/// graceful shutdown (SIGTERM) stops listening and cancels running jobs cleanly (each ends with status `A`).
public final class DirectorService: Service, Sendable {
    public let runtime: DirectorRuntime
    let lifecycle: LifecycleEvents

    /// What the daemon tells its supervisor (sd_notify in capstan-dir; nothing in tests).
    public struct LifecycleEvents: Sendable {
        public var ready: @Sendable ([Int]) -> Void
        public var stopping: @Sendable () -> Void
        public init(ready: @escaping @Sendable ([Int]) -> Void = { _ in }, stopping: @escaping @Sendable () -> Void = {}) {
            self.ready = ready
            self.stopping = stopping
        }
    }

    public init(runtime: DirectorRuntime, lifecycle: LifecycleEvents = LifecycleEvents()) {
        self.runtime = runtime
        self.lifecycle = lifecycle
    }

    public func run() async throws {
        let configuration = runtime.configuration
        runtime.syncCatalogResources()
        var servers: [BsockServer] = []
        for address in configuration.director.addresses {
            let server = try await BsockServer.bind(host: address, port: configuration.director.port, options: runtime.connectionOptions)
            servers.append(server)
            runtime.logger.info("listening", metadata: ["address": "\(address):\(server.localAddress?.port ?? configuration.director.port)"])
        }
        lifecycle.ready(servers.compactMap { $0.localAddress?.port })
        let runtime = self.runtime
        let listeners = servers
        var failure: (any Error)?
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { await cancelWhenGracefulShutdown { await Scheduler.run(runtime) } }
                    for server in listeners {
                        group.addTask {
                            try await cancelWhenGracefulShutdown {
                                try await server.run(
                                    decide: { hello, peer in ConsoleAccess.decide(hello: hello, peer: peer, runtime: runtime) },
                                    handler: { accepted in
                                        let name = (try? ConsoleHello(parsing: accepted.hello))?.name
                                        let console = name.flatMap {
                                            $0 == ConsoleHello.defaultConsoleName ? nil : runtime.configuration.console($0)
                                        }
                                        let session = ConsoleSession(
                                            connection: accepted.connection, runtime: runtime, console: console)
                                        try await session.run()
                                    })
                            }
                        }
                    }
                }
            } onGracefulShutdown: { [lifecycle, runtime] in
                lifecycle.stopping()
                let running = runtime.jobs.running.count
                if running > 0 { runtime.logger.warning("shutting down: \(running) running job(s) canceled") }
                runtime.cancelAllNow()
                Task { for server in listeners { await server.close() } }
            }
        } catch is CancellationError {
        } catch {
            failure = error
        }
        // Every job task ends (canceled ones record status A) before the process exits, however serving ended.
        await runtime.cancelAll()
        runtime.logger.info("stopped")
        if let failure { throw failure }
    }
}

/// Who may open a console: the default console with the Director's password, a named Console with its own. An
/// unknown name is challenged with a key nobody has, so it fails like a wrong password (same delay, same reply).
enum ConsoleAccess {
    static func decide(hello: [UInt8], peer: String, runtime: DirectorRuntime) -> FirstFrameDecision {
        guard let parsed = try? ConsoleHello(parsing: hello) else {
            return .reject(reason: "not a console hello", claimedName: nil, reply: AuthLine.failed)
        }
        let configuration = runtime.configuration
        let welcome = WelcomeLine.director(
            version: DirectorIdentity.protocolVersion, name: configuration.director.name,
            versionText: DirectorIdentity.versionText, date: DirectorIdentity.date
        ).bytes
        let key: AuthKey
        // TLS: the Director resource's directives for the default console, the Console resource's for a named one.
        var tls = configuration.director.tls
        if parsed.name == ConsoleHello.defaultConsoleName {
            key = .password(configuration.director.password)
        } else if let console = configuration.console(parsed.name) {
            key = .password(console.password)
            tls = console.tls
        } else {
            key = .password(UUID().uuidString)
        }
        let settings: TLSSettings
        do {
            settings = try TLSSettings(tls, role: .server)
        } catch {
            return .reject(reason: "TLS setup failed: \(error)", claimedName: parsed.name, reply: AuthLine.failed)
        }
        return .authenticate(
            key: key, challengeName: configuration.director.name, welcome: welcome, claimedName: parsed.name, tls: settings)
    }
}
