import BaculaVolume
import Foundation
import StorageProtocol
import Synchronization

/// The Storage daemon's jobs: the table both session machines read (who may connect with which key), plus what
/// each running job needs across its two connections. One lock guards it all; every access is short and never
/// awaits while holding it.
final class JobRegistry: Sendable {
    /// What a job carries between its Director and File-daemon connections.
    struct Entry {
        var job: StorageJob
        var director: DirectorSession
        var bootstrap: Bootstrap?
        var started = Date()
        var files: UInt32 = 0
        var bytes: UInt64 = 0
        var device: String?
        var volume: String?
        /// Called when the Director cancels the job: ends its File-daemon connection.
        var onCancel: (@Sendable () -> Void)?
        var canceled = false
        /// Why the daemon failed the job on its own (its drive went away, ...); nil while nothing did.
        var failure: String?
    }

    private struct State {
        var bytesRead: [String: UInt64] = [:]
        var table = StorageJobTable()
        var entries: [String: Entry] = [:]
        var nextSessionID: UInt32 = 1
        var jobsRun = 0
    }

    private let state = Mutex(State())
    /// VolSessionTime: the daemon's start-up time, the same for every job of this run.
    let sessionTime: UInt32

    init(startedAt start: Date) {
        sessionTime = UInt32(truncatingIfNeeded: Int(start.timeIntervalSince1970))
    }

    /// A fresh authorization key in 9.6's shape: eight groups of four letters A–P joined by `-` (no spaces).
    static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("ABCDEFGHIJKLMNOP")
        return (0..<8).map { _ in String((0..<4).map { _ in letters[Int(generator.next() & 0x0F)] }) }
            .joined(separator: "-")
    }

    /// Registers a job the Director announced: next VolSessionId, this run's VolSessionTime, a fresh key.
    /// The first job after an idle spell starts from a trimmed heap (`IdleMemory`).
    func register(_ start: JobStartCommand, director: DirectorSession) -> StorageJob {
        let (job, wasIdle) = state.withLock { state in
            let job = StorageJob(
                command: start, sessionID: state.nextSessionID, sessionTime: sessionTime, authorization: Self.makeKey())
            let wasIdle = state.entries.isEmpty
            state.nextSessionID &+= 1
            state.table.insert(job)
            state.entries[job.name] = Entry(job: job, director: director)
            return (job, wasIdle)
        }
        if wasIdle { IdleMemory.release() }
        return job
    }

    func table() -> StorageJobTable { state.withLock { $0.table } }

    func key(forJob name: String) -> String? {
        state.withLock { state in
            guard let job = state.table[name], job.phase != .ended else { return nil }
            return job.authorization
        }
    }

    func entry(_ name: String) -> Entry? { state.withLock { $0.entries[name] } }

    func entry(forJobID jobID: UInt32) -> Entry? {
        state.withLock { $0.entries.values.first { $0.job.jobID == jobID } }
    }

    func setPhase(_ phase: StorageJob.Phase, of name: String) {
        state.withLock { state in
            state.table.setPhase(phase, of: name)
            state.entries[name]?.job.phase = phase
        }
    }

    func setBootstrap(_ bootstrap: Bootstrap, for name: String) {
        state.withLock { $0.entries[name]?.bootstrap = bootstrap }
    }

    /// Changes the job's entry in place (no copy of it).
    func update(_ name: String, _ body: (inout Entry) -> Void) {
        state.withLock { state in
            if let index = state.entries.index(forKey: name) { body(&state.entries.values[index]) }
        }
    }

    /// The counts status storage shows for a running append (its session publishes them every ~100 ms).
    func setCounts(of name: String, files: UInt32, bytes: UInt64) {
        state.withLock { state in
            if let index = state.entries.index(forKey: name) {
                state.entries.values[index].files = files
                state.entries.values[index].bytes = bytes
            }
        }
    }

    /// How long a canceled job's catalog requests wait for the Director's answer.
    static let canceledCatalogReplyBound: Duration = .seconds(5)

    /// Cancels a job: its key stops working, its File-daemon connection is closed, and its catalog requests wait
    /// at most `canceledCatalogReplyBound` for an answer (its end must not hang on a Director that gave up on it).
    func cancel(_ name: String) {
        stop(name) { $0.canceled = true }
        if let director = entry(name)?.director {
            Task { await director.boundCatalogReplies(to: Self.canceledCatalogReplyBound) }
        }
    }

    /// Fails a job from the daemon's side (its drive disappeared): like a cancel, its key stops working and its
    /// File-daemon connection is closed, but the job ends in error with `reason` (the first reason given), not canceled.
    func fail(_ name: String, reason: String) { stop(name) { $0.failure = $0.failure ?? reason } }

    /// Marks the job's entry, ends its key, and closes its File-daemon connection (outside the lock).
    private func stop(_ name: String, marking mark: (inout Entry) -> Void) {
        let handler: (@Sendable () -> Void)? = state.withLock { state in
            state.table.setPhase(.ended, of: name)
            guard var entry = state.entries[name] else { return nil }
            mark(&entry)
            state.entries[name] = entry
            return entry.onCancel
        }
        handler?()
    }


    /// The names of the running jobs using `device`.
    func jobs(onDevice device: String) -> [String] {
        state.withLock { state in state.entries.values.filter { $0.device == device }.map(\.job.name).sorted() }
    }

    /// Cancels every job (graceful shutdown); returns how many there were.
    func cancelAll() -> Int {
        let names = state.withLock { Array($0.entries.keys) }
        for name in names { cancel(name) }
        return names.count
    }

    /// The job's Director went away before the job ended (its connection closed or failed): the job ends in error
    /// with a reason saying so, its File-daemon connection is closed and its device released by the job's end.
    func directorGone(_ name: String) {
        let ended = state.withLock { $0.table[name]?.phase == .ended }
        if !ended { fail(name, reason: Self.directorLost) }
    }

    /// Why a job whose Director vanished failed.
    static let directorLost = "the Director's connection for this job was lost"

    /// The job is over: its key no longer opens anything; it leaves the running list. When it was the last, what
    /// the heap holds free goes back to the kernel (`IdleMemory`).
    func finish(_ name: String) {
        let idle = state.withLock { state in
            state.table.setPhase(.ended, of: name)
            if state.entries.removeValue(forKey: name) != nil { state.jobsRun += 1 }
            return state.entries.isEmpty
        }
        if idle { IdleMemory.release() }
    }

    func jobsRun() -> Int { state.withLock { $0.jobsRun } }

    /// Counts record bytes read from `device` for restores.
    func addBytesRead(_ count: Int, device: String) { state.withLock { $0.bytesRead[device, default: 0] &+= UInt64(count) } }

    func bytesRead(device: String) -> UInt64 { state.withLock { $0.bytesRead[device] ?? 0 } }

    /// The running jobs for `status`.
    func running() -> [StatusReport.RunningJob] {
        state.withLock { state in
            state.entries.values.filter { $0.job.phase == .fileDaemonAttached }.sorted { $0.job.jobID < $1.job.jobID }.map {
                let seconds = max(1, Date().timeIntervalSince($0.started))
                return StatusReport.RunningJob(
                    jobId: Int($0.job.jobID), jobName: $0.job.name, device: $0.device ?? "", volume: $0.volume,
                    files: Int($0.files), bytes: $0.bytes, bytesPerSecond: UInt64(Double($0.bytes) / seconds),
                    spooledBytes: 0)
            }
        }
    }
}
