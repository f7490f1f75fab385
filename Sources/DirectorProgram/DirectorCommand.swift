import ArgumentParser
import CapstanCLI
import CapstanConfig
import Catalog
import Director
import Foundation
import Logging
import Net
import ServiceLifecycle

/// `capstan-dir`: the Director. Reads an existing bacula-dir.conf unchanged; `-t` checks it.
public struct DirectorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "capstan-dir", abstract: "Capstan Director: schedules jobs and keeps the catalog (port 9101).",
        version: CapstanVersion.number)

    @OptionGroup var options: DaemonOptions

    public init() {}

    public func run() async throws {
        guard
            let configuration = try options.loadConfiguration(
                defaultName: "capstan-dir.conf", kind: .director, typed: { DirectorConfiguration($0) })
        else {
            return  // -t: the check was all
        }
        var logger = DaemonLogging.bootstrap(debugLevel: options.debugLevel)
        logger[metadataKey: "component"] = "dir"
        logger[metadataKey: "daemon"] = "\(configuration.director.name)"
        let catalogPath = configuration.director.workingDirectory + "/bacula.db"
        let catalog: CatalogDatabase
        do {
            catalog = try CatalogDatabase(path: catalogPath)
        } catch {
            FileHandle.standardError.write(Data("capstan-dir: \(error)\n".utf8))
            throw ExitCode(ConfigFileCheck.configErrorExitCode)
        }
        let seconds = configuration.director.heartbeatInterval
        let connectionOptions = ConnectionOptions(heartbeatInterval: seconds > 0 ? .seconds(seconds) : nil, logger: logger)
        let path = ConfigFileCheck.resolve(options.configPath(defaultName: "capstan-dir.conf"))
        let runtime = DirectorRuntime(
            configuration: configuration, configurationPath: path,
            configSource: FileSystemConfigSource(), catalog: catalog, logger: logger, connectionOptions: connectionOptions)
        let notifier = SystemdNotifier()
        let name = configuration.director.name
        let service = DirectorService(
            runtime: runtime,
            lifecycle: .init(
                ready: { ports in notifier.ready(status: "\(name) listening on port \(ports.map(String.init).joined(separator: ", "))") },
                stopping: { notifier.stopping() }))
        let reloader = ReloadOnHangup(runtime: runtime, notifier: notifier)
        try await DaemonServiceGroup.run(service, beside: [reloader], notifier: notifier, logger: logger)
    }
}

/// SIGHUP rereads the configuration (running jobs keep theirs); a file with errors is logged and ignored.
struct ReloadOnHangup: Service {
    let runtime: DirectorRuntime
    let notifier: SystemdNotifier

    func run() async throws {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in stream {
                notifier.send([("RELOADING", "1")])
                if let problem = runtime.reload() {
                    runtime.logger.error("reload refused, the configuration in force is kept: \(problem)")
                } else {
                    runtime.logger.info("configuration reloaded")
                }
                notifier.ready(status: "configuration reloaded")
            }
        }
    }
}
