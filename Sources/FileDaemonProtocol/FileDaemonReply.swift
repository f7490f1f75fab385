/// The exact lines a File daemon answers a Director with (spec §3.2). The Director compares the `2000 OK ...`
/// replies byte for byte, newline included.
public enum FileDaemonReply {
    /// The FD version announced in `2000 OK Hello %d` (214 = 9.6, spec §3.2.10).
    public static let version = 214
    public static let welcome = line("2000 OK Hello \(version)\n")
    /// `2000 OK Job ...` has no newline; the Director stores the rest as the client's uname.
    public static func jobAccepted(uname: String) -> [UInt8] { line("2000 OK Job 9.6.7 (10Dec20) \(uname)") }
    public static let badJob = line("2901 Bad Job\n")
    public static let level = line("2000 OK level\n")
    public static let badLevel = line("2902 Bad level\n")
    public static let include = line("2000 OK include\n")
    public static let badInclude = line("2900 Bad include\n")
    public static let storage = line("2000 OK storage\n")
    public static let badStorage = line("2902 Bad storage\n")
    public static let storageEnd = line("2000 OK storage end\n")
    public static let backup = line("2000 OK backup\n")
    public static let restore = line("2000 OK restore\n")
    public static let badRestore = line("2905 Bad RESTORE command\n")
    public static let bandwidth = line("2000 OK Bandwidth\n")
    public static let runScript = line("2000 OK RunScript\n")
    public static let runBeforeNow = line("2000 OK RunBeforeNow\n")
    public static let runBeforeFailed = line("2905 Bad RunBeforeJob command.\n")
    public static let runBeforeNowFailed = line("2905 Bad RunBeforeNow command.\n")
    public static let runBefore = line("2000 OK RunBefore\n")
    public static let runAfter = line("2000 OK RunAfter\n")
    public static let componentInfo = line("2000 OK ComponentInfo\n")
    public static let objectRestored = line("2000 OK ObjectRestored\n")
    public static let noAuthorization = line("2998 No Authorization\n")
    public static let invalidCommand = line("2999 Invalid command\n")
    public static let ping = line("2000 Ping OK\n")
    public static func setDebug(_ command: String) -> [UInt8] { line("2000 OK \(command)\n") }

    /// The answer to `cancel`/`stop`.
    public static func cancel(job: String, found: Bool, stop: Bool) -> [UInt8] {
        found ? line("2001 Job \"\(job)\" marked to be \(stop ? "stopped" : "canceled").\n") : line("2901 Job \(job) not found.\n")
    }

    /// `2000 OK estimate files=%s bytes=%s\n` with thousands separators.
    public static func estimate(files: Int64, bytes: Int64) -> [UInt8] {
        line("2000 OK estimate files=\(grouped(files)) bytes=\(grouped(bytes))\n")
    }

    /// A number with `,` every three digits, as Bacula's edit_uint64_with_commas prints it.
    public static func grouped(_ value: Int64) -> String {
        let digits = Array(String(value.magnitude))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    static func line(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// The end-of-job report (spec §3.2.6): `2800 End Job TermCode=%d JobFiles=%d ReadBytes=%lld JobBytes=%lld
/// Errors=%d VSS=%d Encrypt=%d CommBytes=%lld CompressCommBytes=%lld\n`.
public struct EndJobReport: Hashable, Sendable {
    /// Job status letters as numbers: T OK, W warnings, E error, f fatal, A canceled.
    public enum Status: UInt8, Hashable, Sendable {
        case ok = 84, warnings = 87, error = 69, fatal = 102, canceled = 65
    }

    public var status: Status
    public var files: Int64
    public var readBytes: Int64
    public var jobBytes: Int64
    public var errors: Int64
    public var commBytes: Int64
    public var compressedCommBytes: Int64

    public init(
        status: Status, files: Int64, readBytes: Int64, jobBytes: Int64, errors: Int64, commBytes: Int64 = 0,
        compressedCommBytes: Int64 = 0
    ) {
        self.status = status
        self.files = files
        self.readBytes = readBytes
        self.jobBytes = jobBytes
        self.errors = errors
        self.commBytes = commBytes
        self.compressedCommBytes = compressedCommBytes
    }

    public var bytes: [UInt8] {
        Array(
            ("2800 End Job TermCode=\(status.rawValue) JobFiles=\(files) ReadBytes=\(readBytes) JobBytes=\(jobBytes) "
                + "Errors=\(errors) VSS=0 Encrypt=0 CommBytes=\(commBytes) CompressCommBytes=\(compressedCommBytes)\n").utf8)
    }
}
