import BaculaWire

extension DirectorRequest {
    /// The command as one packet: the commands a Director sends for a job in bacula-dir 9.6's form (spec §3.2), the
    /// others in the shortest form bacula-fd reads. `DirectorRequest(parsing:)` reads every encoding back as the same
    /// request (`DirectorRequestEncodingTests`), a `where` of `/` excepted (it is read as the original location, "").
    /// `setBandwidth` leaves out the ` Job=NAME` bacula-dir adds: see `setBandwidthLine`.
    public var encoded: [UInt8] { Array(text.utf8) }

    /// `setbandwidth=N Job=NAME` as bacula-dir sends it (the FD limits the job it runs; the name is informative).
    public static func setBandwidthLine(bytesPerSecond: Int64, job: String) -> [UInt8] {
        Array("setbandwidth=\(bytesPerSecond) Job=\(job)\n".utf8)
    }

    private var text: String {
        func flag(_ value: Bool) -> Int { value ? 1 : 0 }
        switch self {
        case .jobStart(let id):
            return "JobId=\(id.jobID) Job=\(id.job) SDid=\(id.sessionID) SDtime=\(id.sessionTime) Authorization=\(id.authorization)\n"
        case .level(let line):
            return line.text
        case .fileSet(let vss):
            return "fileset\(vss ? " vss=1" : "")\n"
        case .storage(let storage):
            let key = storage.authorization.map { " Authorization=\($0)" } ?? ""
            return "storage address=\(storage.host) port=\(storage.port) ssl=\(storage.ssl)\(key)\n"
        case .backup(let fileIndex):
            return "backup FileIndex=\(fileIndex)\n"
        case .restore(let request):
            let head = "restore files=\(request.files) replace=\(request.replace.rawValue) prelinks=\(flag(request.prefixLinks))"
            if let regexWhere = request.regexWhere { return head + " regexwhere=\(BashedName.bash(regexWhere))\n" }
            return head + " where=\(BashedName.bash(request.whereDirectory))\n"
        case .endRestore:
            return "endrestore"  // bacula-dir sends it without a newline
        case .estimate(let listing):
            return "estimate listing=\(flag(listing))\n"
        case .status:
            return "status\n"
        case .machineStatus(let what):
            return ".status \(what)\n"
        case .cancel(let job, let stop):
            return "\(stop ? "stop" : "cancel") Job=\(job)\n"
        case .setDebug(let line):
            return line + "\n"
        case .setBandwidth(let bytesPerSecond):
            return "setbandwidth=\(bytesPerSecond)\n"
        case .runScript(let script):
            return "Run OnSuccess=\(flag(script.onSuccess)) OnFailure=\(flag(script.onFailure)) "
                + "AbortOnError=\(flag(script.abortOnError)) When=\(script.when) Command=\(BashedName.bash(script.command))\n"
        case .runBeforeNow:
            return "RunBeforeNow\n"
        case .runBeforeJob(let command):
            return "RunBeforeJob \(BashedName.bash(command))\n"
        case .runAfterJob(let command):
            return "RunAfterJob \(BashedName.bash(command))\n"
        case .accurate(let files):
            return "accurate files=\(files)\n"
        case .componentInfo:
            return "component_info\n"
        case .restoreObject(let end):
            return end ? "restoreobject end\n" : "restoreobject\n"
        case .ping:
            return "Ping\n"
        }
    }
}

extension LevelLine {
    /// The level line as bacula-dir sends it: `level = WORD  mtime_only=M ` (WORD `full`, `base`, `incremental`,
    /// `differential`, the last two with `accurate_` in an Accurate job), or the since line
    /// `level = since_utime N mtime_only=M prev_job=NAME`.
    public var encoded: [UInt8] { Array(text.utf8) }

    var text: String {
        let mtime = "mtime_only=\(mtimeOnly ? 1 : 0)"
        let word: String
        switch kind {
        case .since(let seconds):
            return "level = since_utime \(seconds) \(mtime) prev_job=\(BashedName.bash(previousJob ?? ""))\n"
        case .full: word = "full"
        case .base: word = "base"
        case .incremental: word = accurate ? "accurate_incremental" : "incremental"
        case .differential: word = accurate ? "accurate_differential" : "differential"
        }
        return "level = \(word)  \(mtime) \n"
    }
}
