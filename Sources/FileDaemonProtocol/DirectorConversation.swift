import BaculaWire

/// Everything a backup job needs, gathered from the Director's commands before `backup`.
public struct BackupPlan: Equatable, Sendable {
    public var job: JobIdentity
    public var level: LevelLine.Kind
    public var accurate: Bool
    public var mtimeOnly: Bool
    /// Files changed after this Unix time are saved (incremental/differential), already corrected by the clock
    /// offset between Director and FD.
    public var since: Int64?
    public var fileSet: FileSetDescription
    /// The Director's list of files of the previous backups (accurate mode), nil when none was sent.
    public var accurateFiles: [AccurateEntry]?
    public var scripts: [RunScript]
    public var bandwidth: Int64

    public init(
        job: JobIdentity, level: LevelLine.Kind = .full, accurate: Bool = false, mtimeOnly: Bool = false, since: Int64? = nil,
        fileSet: FileSetDescription, accurateFiles: [AccurateEntry]? = nil, scripts: [RunScript] = [], bandwidth: Int64 = 0
    ) {
        self.job = job
        self.level = level
        self.accurate = accurate
        self.mtimeOnly = mtimeOnly
        self.since = since
        self.fileSet = fileSet
        self.accurateFiles = accurateFiles
        self.scripts = scripts
        self.bandwidth = bandwidth
    }
}

/// The conversation of one Director connection with this File daemon (spec §3.2), as a value: feed it what the
/// Director sends and what the daemon's jobs report, carry out the actions it returns in order.
public struct DirectorConversation: Sendable {
    public enum Action: Equatable, Sendable {
        /// Send these frames to the Director.
        case send([Frame])
        /// Connect to the SD and authenticate with the job key; report with `storageConnected`.
        case connectStorage(StorageAddress, job: JobIdentity)
        /// Run the backup over the SD connection; report with `backupFinished`.
        case startBackup(BackupPlan)
        /// Restore what the SD sends; report with `restorePartFinished`.
        case startRestore(RestoreRequest, job: JobIdentity, scripts: [RunScript])
        /// The restore is over: report with `restoreFinished`.
        case finishRestore
        /// Walk the FileSet without sending data (listing lines go to the Director as plain text); report with
        /// `estimateFinished`.
        case runEstimate(BackupPlan, listing: Bool)
        /// Run the ClientRunBeforeJob scripts now; report with `beforeScriptsFinished`.
        case runBeforeScripts([RunScript], job: JobIdentity)
        /// Send the status report lines, then an EOD.
        case sendStatus(machineReadable: String?)
        /// Cancel (or stop) a running job of this daemon, answer with `FileDaemonReply.cancel`, then an EOD.
        case cancel(job: String, stop: Bool)
        /// Log this protocol problem (what and where).
        case log(String)
        /// The conversation is over: close the connection.
        case close
    }

    enum Phase: Hashable, Sendable {
        case ready
        case readingFileSet
        case clockSync(remaining: Int)
        case readingAccurate
        case connectingStorage
        case runningBeforeScripts
        case backingUp
        case restoring
        case awaitingEndRestore
        case finishingRestore
        case estimating
        case finished
    }

    public let uname: String
    private(set) var phase: Phase = .ready
    public private(set) var job: JobIdentity?
    private var level = LevelLine(kind: .full)
    private var since: Int64?
    private var fileSetReader = FileSetReader()
    private var fileSet = FileSetDescription()
    private var accurateFiles: [AccurateEntry]?
    private var scripts: [RunScript] = []
    /// The before scripts running now came with the old `RunBeforeJob` command (answered `2000 OK RunBefore`), not
    /// with `RunBeforeNow`.
    private var beforeScriptsOldStyle = false
    private var bandwidth: Int64 = 0
    private var clockOffsets: [Int64] = []
    /// The Director sent the job key again with `storage`: restores answer `storage end` per part (§3.2.8).
    private var multiRestore = false

    /// `uname` goes into `2000 OK Job 9.6.7 (10Dec20) <uname>`.
    public init(uname: String) { self.uname = uname }

    /// True once `close` was returned.
    public var isFinished: Bool { phase == .finished }

    /// A frame from the Director. `nowMicroseconds` is this host's Unix time (used by the clock exchange).
    public mutating func received(_ frame: Frame, nowMicroseconds: Int64 = 0) -> [Action] {
        switch frame {
        case .signal(let signal):
            if signal == .endOfData { return endOfData() }
            if signal == .terminate { return finish() }
            return []
        case .payload(let bytes):
            switch phase {
            case .readingFileSet:
                do {
                    try fileSetReader.read(bytes)
                    return []
                } catch {
                    phase = .finished
                    return [.log("\(error)"), .send([.payload(FileDaemonReply.badInclude)]), .close]
                }
            case .readingAccurate:
                if let entry = AccurateEntry(packet: bytes) { accurateFiles?.append(entry) }
                return []
            case .clockSync(let remaining):
                guard let directorTime = ClockReading(parsing: bytes) else {
                    return protocolError(bytes, "expected a btime answer")
                }
                clockOffsets.append(directorTime.microseconds - nowMicroseconds)
                if remaining > 1 {
                    phase = .clockSync(remaining: remaining - 1)
                    return [.send([.signal(.btime)])]
                }
                phase = .ready
                return [.send([.signal(.endOfData), .payload(FileDaemonReply.level)])]
            default:
                return command(bytes)
            }
        }
    }

    /// The Director's clock minus ours in seconds, averaged without the first two samples (0 before any).
    public var clockOffsetSeconds: Int64 {
        let samples = clockOffsets.count > 2 ? Array(clockOffsets.dropFirst(2)) : clockOffsets
        guard !samples.isEmpty else { return 0 }
        return samples.reduce(0, +) / Int64(samples.count) / 1_000_000
    }

    private mutating func endOfData() -> [Action] {
        switch phase {
        case .readingFileSet:
            fileSet = fileSetReader.fileSet
            phase = .ready
            guard !fileSet.includes.isEmpty else {
                return [.log("FileSet without an Include"), .send([.payload(FileDaemonReply.badInclude)])]
            }
            return [.send([.payload(FileDaemonReply.include)])]
        case .readingAccurate:
            phase = .ready
            return []
        default:
            return []
        }
    }

    private mutating func command(_ bytes: [UInt8]) -> [Action] {
        guard let request = DirectorRequest(parsing: bytes) else {
            return protocolError(bytes, "invalid command")
        }
        guard phase == .ready || phase == .awaitingEndRestore else {
            return protocolError(bytes, "command while the job is busy")
        }
        if job == nil {
            switch request {
            case .jobStart, .status, .machineStatus, .cancel, .setDebug, .ping: break
            default:
                phase = .finished
                return [.log("command before JobId: \(Self.printable(bytes))"), .send([.payload(FileDaemonReply.noAuthorization), .signal(.endOfData)]), .close]
            }
        }
        switch request {
        case .jobStart(let identity):
            job = identity
            return [.send([.payload(FileDaemonReply.jobAccepted(uname: uname))])]
        case .level(let line):
            switch line.kind {
            case .since(let time):
                since = time
                level.accurate = level.accurate || line.accurate
                level.mtimeOnly = line.mtimeOnly
                level.previousJob = line.previousJob
                phase = .clockSync(remaining: 10)
                return [.send([.signal(.btime)])]
            default:
                level = line
                return line.answersAtOnce ? [.send([.payload(FileDaemonReply.level)])] : []
            }
        case .fileSet:
            fileSetReader = FileSetReader()
            phase = .readingFileSet
            return []
        case .storage(let address):
            guard let job else { return [] }
            multiRestore = address.authorization != nil
            phase = .connectingStorage
            return [.connectStorage(address, job: job)]
        case .accurate:
            accurateFiles = []
            phase = .readingAccurate
            return []
        case .backup:
            guard let plan = plan() else { return [] }
            phase = .backingUp
            return [.send([.payload(FileDaemonReply.backup)]), .startBackup(plan)]
        case .restore(let request):
            guard let job else { return [] }
            phase = .restoring
            return [.send([.payload(FileDaemonReply.restore)]), .startRestore(request, job: job, scripts: scripts)]
        case .endRestore:
            guard phase == .awaitingEndRestore else { return protocolError(bytes, "endrestore without a restore") }
            phase = .finishingRestore
            return [.finishRestore]
        case .estimate(let listing):
            guard let plan = plan() else { return [] }
            phase = .estimating
            return [.runEstimate(plan, listing: listing)]
        case .status:
            return [.sendStatus(machineReadable: nil)]
        case .machineStatus(let what):
            return [.sendStatus(machineReadable: what)]
        case .cancel(let name, let stop):
            return [.cancel(job: name, stop: stop)]
        case .setDebug(let text):
            return [.send([.payload(FileDaemonReply.setDebug(text))])]
        case .setBandwidth(let rate):
            bandwidth = rate
            return [.send([.payload(FileDaemonReply.bandwidth)])]
        case .runScript(let script):
            scripts.append(script)
            return [.send([.payload(FileDaemonReply.runScript)])]
        case .runBeforeNow:
            guard let job else { return [] }
            phase = .runningBeforeScripts
            beforeScriptsOldStyle = false
            return [.runBeforeScripts(scripts.filter { $0.when & (RunScript.before | RunScript.afterVSS) != 0 }, job: job)]
        case .runBeforeJob(let command):
            // bacula-dir's ClientRunBeforeJob (the old protocol, no RunBeforeNow follows): run it now, as bacula-fd
            guard let job else { return [.send([.payload(FileDaemonReply.runBeforeFailed)])] }
            phase = .runningBeforeScripts
            beforeScriptsOldStyle = true
            let script = RunScript(onSuccess: true, onFailure: false, abortOnError: true, when: RunScript.before, command: command)
            return [.runBeforeScripts([script], job: job)]
        case .runAfterJob(let command):
            scripts.append(RunScript(onSuccess: true, onFailure: false, abortOnError: false, when: RunScript.after, command: command))
            return [.send([.payload(FileDaemonReply.runAfter)])]
        case .componentInfo:
            return [.send([.payload(FileDaemonReply.componentInfo)])]
        case .restoreObject(let end):
            return end ? [.send([.payload(FileDaemonReply.objectRestored)])] : []
        case .ping:
            return [.send([.payload(FileDaemonReply.ping)])]
        }
    }

    private func plan() -> BackupPlan? {
        guard let job else { return nil }
        let corrected = since.map { $0 - clockOffsetSeconds }
        return BackupPlan(
            job: job, level: level.kind, accurate: level.accurate, mtimeOnly: level.mtimeOnly, since: corrected,
            fileSet: fileSet, accurateFiles: accurateFiles, scripts: scripts, bandwidth: bandwidth)
    }

    /// The SD connection for the job is up (or failed).
    public mutating func storageConnected(_ success: Bool) -> [Action] {
        guard phase == .connectingStorage else { return [] }
        phase = .ready
        return [.send([.payload(success ? FileDaemonReply.storage : FileDaemonReply.badStorage)])]
    }

    /// ClientRunBeforeJob scripts ran.
    public mutating func beforeScriptsFinished(_ success: Bool) -> [Action] {
        guard phase == .runningBeforeScripts else { return [] }
        phase = .ready
        if beforeScriptsOldStyle { return [.send([.payload(success ? FileDaemonReply.runBefore : FileDaemonReply.runBeforeFailed)])] }
        return [.send([.payload(success ? FileDaemonReply.runBeforeNow : FileDaemonReply.runBeforeNowFailed)])]
    }

    /// The backup ended: the report, TERMINATE, close.
    public mutating func backupFinished(_ report: EndJobReport) -> [Action] {
        guard phase == .backingUp else { return [] }
        return finish(with: report)
    }

    /// One restore part (one SD) ended.
    public mutating func restorePartFinished(_ report: EndJobReport) -> [Action] {
        guard phase == .restoring else { return [] }
        if multiRestore {
            phase = .awaitingEndRestore
            return [.send([.payload(FileDaemonReply.storageEnd)])]
        }
        return finish(with: report)
    }

    /// The whole restore ended (after `endrestore`).
    public mutating func restoreFinished(_ report: EndJobReport) -> [Action] {
        guard phase == .finishingRestore else { return [] }
        return finish(with: report)
    }

    /// The estimate walk ended.
    public mutating func estimateFinished(files: Int64, bytes: Int64) -> [Action] {
        guard phase == .estimating else { return [] }
        phase = .ready
        return [.send([.payload(FileDaemonReply.estimate(files: files, bytes: bytes)), .signal(.endOfData)])]
    }

    private mutating func finish(with report: EndJobReport) -> [Action] {
        phase = .finished
        return [.send([.payload(report.bytes), .signal(.terminate)]), .close]
    }

    private mutating func finish() -> [Action] {
        guard phase != .finished else { return [] }
        phase = .finished
        return [.close]
    }

    private mutating func protocolError(_ bytes: [UInt8], _ what: String) -> [Action] {
        phase = .finished
        return [
            .log("Director \(what): \"\(Self.printable(bytes))\""),
            .send([.payload(FileDaemonReply.invalidCommand), .signal(.endOfData)]), .close,
        ]
    }

    static func printable(_ bytes: [UInt8]) -> String {
        String(bytes.prefix(80).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." })
    }
}
