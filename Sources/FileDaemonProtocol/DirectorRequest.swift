import BaculaWire

/// `JobId=%d Job=%127s SDid=%d SDtime=%d Authorization=%100s`: the job a Director session is about (spec §3.2.1).
/// `authorization` is the SD's job key (`dummy` when no SD takes part).
public struct JobIdentity: Hashable, Sendable {
    public var jobID: UInt32
    public var job: String
    public var sessionID: UInt32
    public var sessionTime: UInt32
    public var authorization: String

    public init(jobID: UInt32, job: String, sessionID: UInt32, sessionTime: UInt32, authorization: String) {
        self.jobID = jobID
        self.job = job
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.authorization = authorization
    }
}

/// `storage address=%s port=%d ssl=%d [Authorization=%100s]` (spec §3.2.5): where the SD is, as a name the FD
/// resolves itself; `authorization` is repeated on restores (multi-restore mode).
public struct StorageAddress: Hashable, Sendable {
    public var host: String
    public var port: Int
    public var ssl: Int
    public var authorization: String?

    public init(host: String, port: Int, ssl: Int, authorization: String? = nil) {
        self.host = host
        self.port = port
        self.ssl = ssl
        self.authorization = authorization
    }
}

/// How a restore treats files that exist (`replace=%c`).
public enum ReplacePolicy: Character, Hashable, Sendable {
    case always = "a"
    case ifNewer = "w"
    case ifOlder = "o"
    case never = "n"
}

/// `restore files=%d replace=%c prelinks=%d where=%s` or `... regexwhere=%s` (spec §3.2.8). `where` is unbashed;
/// empty (or `/`) means the original location.
public struct RestoreRequest: Hashable, Sendable {
    public var files: Int
    public var replace: ReplacePolicy
    public var prefixLinks: Bool
    public var whereDirectory: String
    public var regexWhere: String?

    public init(files: Int, replace: ReplacePolicy, prefixLinks: Bool, whereDirectory: String, regexWhere: String? = nil) {
        self.files = files
        self.replace = replace
        self.prefixLinks = prefixLinks
        self.whereDirectory = whereDirectory
        self.regexWhere = regexWhere
    }
}

/// `Run OnSuccess=%u OnFailure=%u AbortOnError=%u When=%u Command=%s` (spec §3.2.7): a script the FD runs.
public struct RunScript: Hashable, Sendable {
    /// Bacula's `When` bits (its `SCRIPT_*`): 1 after the job, 2 before it, 4 "after VSS" (before the job, once a
    /// Windows snapshot is made: on Linux with the before scripts), 3 both.
    public static let after = 1, before = 2, afterVSS = 4
    public var onSuccess: Bool
    public var onFailure: Bool
    public var abortOnError: Bool
    public var when: Int
    public var command: String

    public init(onSuccess: Bool, onFailure: Bool, abortOnError: Bool, when: Int, command: String) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.abortOnError = abortOnError
        self.when = when
        self.command = command
    }
}

/// One command a Director sends a File daemon (spec §3.2), parsed as leniently as bacula-fd parses it.
public enum DirectorRequest: Hashable, Sendable {
    case jobStart(JobIdentity)
    case level(LevelLine)
    case fileSet(vss: Bool)
    case storage(StorageAddress)
    case backup(fileIndex: Int)
    case restore(RestoreRequest)
    case endRestore
    case estimate(listing: Bool)
    case status
    case machineStatus(String)
    case cancel(job: String, stop: Bool)
    case setDebug(String)
    case setBandwidth(bytesPerSecond: Int64)
    case runScript(RunScript)
    case runBeforeNow
    case runBeforeJob(String)
    case runAfterJob(String)
    case accurate(files: Int)
    case componentInfo
    case restoreObject(end: Bool)
    case ping

    /// Parses one command packet; nil for anything bacula-fd would call an invalid command.
    public init?(parsing bytes: [UInt8]) {
        func scan(_ format: String) -> [BScanf.Value]? { BScanf.scan(bytes, format: format) }
        func has(_ prefix: String) -> Bool { bytes.starts(with: prefix.utf8) }
        func int(_ value: BScanf.Value) -> Int64 { value.number ?? 0 }
        if has("JobId="), let v = scan("JobId=%d Job=%127s SDid=%d SDtime=%d Authorization=%100s"), v.count == 5,
            let job = v[1].string, let key = v[4].string
        {
            self = .jobStart(
                JobIdentity(
                    jobID: UInt32(truncatingIfNeeded: int(v[0])), job: job, sessionID: UInt32(truncatingIfNeeded: int(v[2])),
                    sessionTime: UInt32(truncatingIfNeeded: int(v[3])), authorization: key))
        } else if has("level = ") {
            guard let line = LevelLine(parsing: bytes) else { return nil }
            self = .level(line)
        } else if has("fileset") {
            self = .fileSet(vss: bytes.firstRange(of: Array("vss=1".utf8)) != nil)
        } else if has("storage address=") {
            if let v = scan("storage address=%s port=%d ssl=%d Authorization=%100s"), v.count == 4, let host = v[0].string,
                let key = v[3].string, !key.isEmpty
            {
                self = .storage(StorageAddress(host: host, port: Int(int(v[1])), ssl: Int(int(v[2])), authorization: key))
            } else if let v = scan("storage address=%s port=%d ssl=%d"), v.count == 3, let host = v[0].string {
                self = .storage(StorageAddress(host: host, port: Int(int(v[1])), ssl: Int(int(v[2]))))
            } else {
                return nil
            }
        } else if has("backup"), let v = scan("backup FileIndex=%ld") {
            self = .backup(fileIndex: Int(int(v[0])))
        } else if has("restore ") {
            guard let request = Self.restore(bytes) else { return nil }
            self = .restore(request)
        } else if has("endrestore") {
            self = .endRestore
        } else if has("estimate"), let v = scan("estimate listing=%d") {
            self = .estimate(listing: int(v[0]) != 0)
        } else if has(".status") {
            self = .machineStatus(String(decoding: bytes.dropFirst(7).filter { $0 != 0x0A }, as: UTF8.self)
                .trimmingSpaces())
        } else if has("status") {
            self = .status
        } else if has("cancel Job="), let v = scan("cancel Job=%127s"), let job = v[0].string {
            self = .cancel(job: job, stop: false)
        } else if has("stop Job="), let v = scan("stop Job=%127s"), let job = v[0].string {
            self = .cancel(job: job, stop: true)
        } else if has("setdebug=") {
            self = .setDebug(String(decoding: bytes.filter { $0 != 0x0A }, as: UTF8.self))
        } else if has("setbandwidth="), let v = scan("setbandwidth=%lld") {
            self = .setBandwidth(bytesPerSecond: int(v[0]))
        } else if has("Run OnSuccess="),
            let v = scan("Run OnSuccess=%d OnFailure=%d AbortOnError=%d When=%d Command="), v.count == 4,
            let commandStart = bytes.firstRange(of: Array("Command=".utf8))?.upperBound
        {
            var command = Array(bytes[commandStart...])
            while command.last == 0x0A || command.last == 0 { command.removeLast() }
            self = .runScript(
                RunScript(
                    onSuccess: int(v[0]) != 0, onFailure: int(v[1]) != 0, abortOnError: int(v[2]) != 0, when: Int(int(v[3])),
                    command: BashedName.unbash(String(decoding: command, as: UTF8.self))))
        } else if has("RunBeforeNow") {
            self = .runBeforeNow
        } else if has("RunBeforeJob ") {
            self = .runBeforeJob(Self.rest(bytes, after: "RunBeforeJob "))
        } else if has("RunAfterJob ") {
            self = .runAfterJob(Self.rest(bytes, after: "RunAfterJob "))
        } else if has("accurate files="), let v = scan("accurate files=%d") {
            self = .accurate(files: Int(int(v[0])))
        } else if has("component_info") {
            self = .componentInfo
        } else if has("restoreobject") {
            self = .restoreObject(end: has("restoreobject end"))
        } else if has("Ping") {
            self = .ping
        } else {
            return nil
        }
    }

    private static func rest(_ bytes: [UInt8], after prefix: String) -> String {
        var tail = Array(bytes.dropFirst(prefix.utf8.count))
        while tail.last == 0x0A || tail.last == 0 { tail.removeLast() }
        return BashedName.unbash(String(decoding: tail, as: UTF8.self))
    }

    /// `restore files=%d replace=%c prelinks=%d where=%s` / `... regexwhere=%s`.
    private static func restore(_ bytes: [UInt8]) -> RestoreRequest? {
        let head = Array("restore files=".utf8)
        guard bytes.starts(with: head) else { return nil }
        var rest = bytes[head.count...]
        let digits = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard let files = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        rest = rest.dropFirst(digits.count)
        let replaceKey = Array(" replace=".utf8)
        guard rest.starts(with: replaceKey), rest.count > replaceKey.count,
            let replace = ReplacePolicy(rawValue: Character(UnicodeScalar(rest[rest.startIndex + replaceKey.count])))
        else { return nil }
        rest = rest.dropFirst(replaceKey.count + 1)
        let prelinksKey = Array(" prelinks=".utf8)
        guard rest.starts(with: prelinksKey) else { return nil }
        rest = rest.dropFirst(prelinksKey.count)
        let flag = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard let prelinks = Int(String(decoding: flag, as: UTF8.self)) else { return nil }
        rest = rest.dropFirst(flag.count)
        var isRegex = false
        if rest.starts(with: " where=".utf8) {
            rest = rest.dropFirst(7)
        } else if rest.starts(with: " regexwhere=".utf8) {
            rest = rest.dropFirst(12)
            isRegex = true
        } else {
            return nil
        }
        var value = Array(rest)
        while value.last == 0x0A || value.last == 0 { value.removeLast() }
        let text = BashedName.unbash(String(decoding: value, as: UTF8.self))
        return RestoreRequest(
            files: files, replace: replace, prefixLinks: prelinks != 0,
            whereDirectory: isRegex || text == "/" ? "" : text, regexWhere: isRegex ? text : nil)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
