import CapstanConfig
import Catalog
import Foundation
import Logging
import Net
import Synchronization

/// What the Director's parts share: the current configuration (replaced by `reload`), the catalog, messages, the
/// jobs in progress, and how to open connections. Jobs run as tasks of their own; cancelling one stops its
/// connections.
public final class DirectorRuntime: Sendable {
    private let configurationBox: Mutex<DirectorConfiguration>
    public let configurationPath: String?
    let configSource: any ConfigSource
    public let catalog: CatalogDatabase
    public let messages: MessageRouter
    public let jobs: JobRegistry
    /// The job queue: Priority and the Maximum Concurrent Jobs limits decide which queued job starts.
    let scheduler: JobScheduler
    public let logger: Logger
    public let startTime = CatalogTime.now()
    let connectionOptions: ConnectionOptions
    private let tasks = Mutex<[Int64: Task<Void, Never>]>([:])
    private let restoreCounter = Mutex(0)

    public init(
        configuration: DirectorConfiguration, configurationPath: String?, configSource: any ConfigSource,
        catalog: CatalogDatabase, logger: Logger, connectionOptions: ConnectionOptions
    ) {
        self.configSource = configSource
        configurationBox = Mutex(configuration)
        self.configurationPath = configurationPath
        self.catalog = catalog
        self.messages = MessageRouter(catalog: catalog, directorName: configuration.director.name, logger: logger)
        self.logger = logger
        self.connectionOptions = connectionOptions
        let registry = JobRegistry()
        jobs = registry
        scheduler = JobScheduler(onStatus: { statuses in
            for (jobID, status) in statuses { registry.update(jobID: jobID, status: String(status)) }
        })
    }

    /// The configuration in force now.
    public var configuration: DirectorConfiguration { configurationBox.withLock { $0 } }

    /// Replaces the configuration (running jobs keep the resources they started with).
    public func replaceConfiguration(_ configuration: DirectorConfiguration) {
        configurationBox.withLock { $0 = configuration }
        syncCatalogResources()
    }

    /// Rereads the configuration file; returns the diagnostics when it has errors (the old one stays).
    public func reload() -> String? {
        guard let path = configurationPath else { return "no configuration file to reread" }
        let (configuration, diagnostics) = ConfigLoader.load(path: path, kind: .director, source: configSource)
        if !diagnostics.errors.isEmpty {
            return diagnostics.errors.map(\.description).joined(separator: "\n")
        }
        guard let typed = DirectorConfiguration(configuration) else { return "\(path): no Director resource" }
        replaceConfiguration(typed)
        return nil
    }

    /// Creates or refreshes the Pool and Client rows from the configuration (Bacula does this at start-up).
    public func syncCatalogResources() {
        let configuration = self.configuration
        for pool in configuration.pools {
            do { _ = try catalog.ensurePool(pool.definition) } catch { logger.error("catalog: pool \(pool.name): \(error)") }
        }
        for client in configuration.clients {
            do {
                _ = try catalog.ensureClient(
                    name: client.name, autoPrune: client.autoPrune, fileRetention: client.fileRetention,
                    jobRetention: client.jobRetention)
            } catch { logger.error("catalog: client \(client.name): \(error)") }
        }
    }

    /// Delivers a message of a job (or of the Director with JobId 0) to a Messages resource.
    public func say(_ text: String, type: String = "info", jobID: Int64, messages name: String?) {
        let configuration = self.configuration
        let resource = name.flatMap { configuration.messagesResource($0) }
            ?? configuration.director.messages.flatMap { configuration.messagesResource($0) }
        self.messages.deliver(text, type: type, jobID: jobID, resource: resource)
    }

    /// A job has ended with `status` (its catalog letter): the registry lets its waiters go and its kept mail is sent.
    func endJob(jobID: Int64, status: String) {
        jobs.finish(jobID: jobID, status: status)
        messages.finishJob(jobID: jobID, status: status)
    }

    /// Starts a job's task and keeps it so `cancel` and shutdown can stop it.
    func launch(jobID: Int64, _ body: @escaping @Sendable () async -> Void) {
        let task = Task {
            await body()
            _ = self.tasks.withLock { $0.removeValue(forKey: jobID) }
        }
        tasks.withLock { $0[jobID] = task }
    }

    /// Cancels one running job's task; false when no such job runs.
    @discardableResult
    public func cancel(jobID: Int64) -> Bool {
        guard let task = tasks.withLock({ $0[jobID] }) else { return false }
        task.cancel()
        jobs.entry(jobID: jobID)?.cancel()
        return true
    }

    /// Cancels every running job without waiting.
    public func cancelAllNow() {
        for (jobID, task) in tasks.withLock({ $0 }) {
            task.cancel()
            jobs.entry(jobID: jobID)?.cancel()
        }
    }

    /// Cancels every running job and waits for them to end (SIGTERM).
    public func cancelAll() async {
        let all = tasks.withLock { $0 }
        for (jobID, task) in all {
            task.cancel()
            jobs.entry(jobID: jobID)?.cancel()
        }
        for task in all.values { await task.value }
    }

    /// The next restore bootstrap number (`<dir>.restore.N.bsr`).
    func nextRestoreNumber() -> Int {
        restoreCounter.withLock { n in
            n += 1
            return n
        }
    }

    /// A unique Job name: `Name.YYYY-MM-DD_HH.MM.SS_NN`.
    func uniqueJobName(_ name: String, at seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return String(
            format: "%@.%04d-%02d-%02d_%02d.%02d.%02d_%02d", name, Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), jobs.nextSequence())
    }
}

