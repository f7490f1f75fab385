import BaculaWire

/// A line the SD sends on a Director connection that is not a catalog request or a job message: replies to the
/// Director's commands and the job-life reports (spec §3.3.1–§3.3.6).
/// [WIRE] cases are exactly as captured and round-trip byte-for-byte in the tests; [SRC] ones follow the spec.
public enum StorageReply: Hashable, Sendable {
    /// [WIRE] `3000 OK Job SDid=%u SDtime=%u Authorization=%s\n`.
    case jobAccepted(sessionID: UInt32, sessionTime: UInt32, authorization: String)
    /// [SRC] `3915 Bad Job command. stat=%d CMD: %s\n` (the command without its newline).
    case badJobCommand(status: Int32, command: String)
    /// [WIRE] `3000 OK use device device=%s\n`.
    case deviceReserved(device: String)
    /// [SRC] `3924 Device "%s" not in SD Device resources or no matching Media Type or is disabled.\n`.
    case deviceUnavailable(device: String)
    /// [SRC] `3913 Bad use command: %s\n`.
    case badUseCommand(command: String)
    /// [WIRE] `3000 OK bootstrap\n`.
    case bootstrapAccepted
    /// [SRC] `3904 Error bootstrap\n`.
    case bootstrapRejected
    /// [WIRE] `Status JobId=%ld JobStatus=%d\n`.
    case jobStatus(jobID: UInt32, status: JobStatus)
    /// [WIRE] `3010 Job %s start\n`.
    case jobStarted(job: String)
    /// [WIRE] `3099 Job %s end JobStatus=%d JobFiles=%d JobBytes=%s JobErrors=%u ErrMsg=%s\n`.
    case jobEnded(JobEndReport)
    /// [SRC] `3000 JobId=%ld Job="%s" marked to be %s.\n` (`canceled`, `stopped`).
    case jobMarked(jobID: UInt32, job: String, state: String)
    /// [WIRE] `3904 Job %s not found.\n`.
    case jobNotFound(job: String)
    /// [SRC] `3900 Invalid command: %s\n` (the command without its newline); the SD then closes.
    case invalidCommand(command: String)
    /// [SRC] `3000 OK client command\n`.
    case clientCommandAccepted
    /// [WIRE] `2000 OK storage\n`: connected and authenticated to the peer SD of a Copy/Migrate.
    case storageConnected
    /// [SRC] `2902 Bad storage\n`: the peer SD could not be reached or refused the key.
    case storageFailed
    /// [WIRE] A changer progress or error line (`33xx`, `3992`) sent while a device command runs the changer.
    case changer(ChangerMessage)
    /// [WIRE] `3000 OK label. VolBytes=...` — `label` or `relabel` succeeded.
    case labelled(LabelResult)
    /// [WIRE] `3920 Cannot label Volume because it is already labeled: "%s"\n` (the label found on the medium).
    case alreadyLabelled(volume: String)
    /// [WIRE] `3001 Mounted Volume: %s\n`.
    case mounted(volume: String)
    /// [WIRE] `3001 Device "%s" is already mounted with Volume "%s"\n` (device as `"NAME" (PATH)`).
    case alreadyMounted(device: DeviceDescription, volume: String)
    /// [WIRE] `3001 Device "%s" is mounted with Volume "%s"\n` (a drive kept open, `AlwaysOpen = yes`).
    case isMounted(device: DeviceDescription, volume: String)
    /// [WIRE] `3002 Device "%s" unmounted.\n`.
    case unmounted(device: DeviceDescription)
    /// [WIRE] `3022 Device "%s" released.\n`.
    case released(device: DeviceDescription)
    /// [WIRE] `3001 Volume=%s Slot=%d\n` — what `readlabel` found (the volume name of the label).
    case labelRead(volume: String, slot: Int32)
    /// [WIRE] `3901 Device "%s" is already unmounted.\n`.
    case alreadyUnmounted(device: DeviceDescription)
    /// [WIRE] `3921 Device "%s" already released.\n`.
    case alreadyReleased(device: DeviceDescription)
    /// [WIRE] `3901 Unable to open device "%s": ERR=%s\n`; `error` is the driver's message as sent, which in the
    /// capture ends with its own newline (the line ends `\n\n`).
    case openFailed(device: DeviceDescription, error: String)
    /// [WIRE] A line of `status` output, sent as is (9.6 terminates most with `\n\0`).
    case statusText([UInt8])
    /// A refusal of a device command that has no form of its own: `39NN <message>\n` (the Director shows the
    /// line and treats the command as failed).
    case deviceError(code: Int32, message: String)

    private static let alreadyMountedTemplate = LineTemplate(
        "3001 Device \"", "\" is already mounted with Volume \"", "\"\n")
    private static let isMountedTemplate = LineTemplate("3001 Device \"", "\" is mounted with Volume \"", "\"\n")
    private static let unmountedTemplate = LineTemplate("3002 Device \"", "\" unmounted.\n")
    private static let releasedTemplate = LineTemplate("3022 Device \"", "\" released.\n")
    private static let alreadyUnmountedTemplate = LineTemplate("3901 Device \"", "\" is already unmounted.\n")
    private static let alreadyReleasedTemplate = LineTemplate("3921 Device \"", "\" already released.\n")
    private static let openFailedTemplate = LineTemplate("3901 Unable to open device \"", "\": ERR=", "\n")
    private static let alreadyLabelledTemplate = LineTemplate(
        "3920 Cannot label Volume because it is already labeled: \"", "\"\n")
    private static let mountedTemplate = LineTemplate("3001 Mounted Volume: ", "\n")
    private static let labelReadTemplate = LineTemplate("3001 Volume=", " Slot=", "\n")

    private static let reservedPrefix = "3000 OK use device device="
    private static let unavailableSuffix =
        "\" not in SD Device resources or no matching Media Type or is disabled.\n"

    /// Parses a line from an SD. Anything that is none of the known forms is `.statusText` (free text a Director
    /// relays), so only malformed *known* forms throw.
    public init(parsing bytes: [UInt8]) throws(MessageError) {
        func has(_ prefix: String) -> Bool { Line.starts(bytes, with: prefix) }
        if has("3000 OK Job SDid=") {
            var fields = try ScannedFields(
                bytes, format: "3000 OK Job SDid=%d SDtime=%d Authorization=%100s", kind: "job reply")
            self = .jobAccepted(
                sessionID: try fields.integer(), sessionTime: try fields.integer(), authorization: try fields.raw())
        } else if has("3915 Bad Job command. stat=") {
            var fields = try ScannedFields(bytes, format: "3915 Bad Job command. stat=%d CMD:", kind: "bad job reply")
            let status: Int32 = try fields.integer()
            let rest = Line.text(Line.rest(bytes, after: "3915 Bad Job command. stat=\(status) CMD: "))
            self = .badJobCommand(status: status, command: rest)
        } else if has(Self.reservedPrefix) {
            var fields = try ScannedFields(bytes, format: Self.reservedPrefix + "%127s", kind: "use device reply")
            self = .deviceReserved(device: try fields.name())
        } else if has("3924 Device \""), bytes.last == 0x0A {
            let inner = Line.rest(bytes, after: "3924 Device \"")
            let suffix = Array(Self.unavailableSuffix.utf8.dropLast())
            guard inner.count > suffix.count, Array(inner.suffix(suffix.count)) == suffix else {
                throw MessageError(kind: "device unavailable reply", reason: .unrecognized, line: bytes)
            }
            self = .deviceUnavailable(device: Line.text(Array(inner.dropLast(suffix.count))))
        } else if has("3913 Bad use command: ") {
            self = .badUseCommand(command: Line.text(Line.rest(bytes, after: "3913 Bad use command: ")))
        } else if Line.equals(bytes, "3000 OK bootstrap\n") {
            self = .bootstrapAccepted
        } else if Line.equals(bytes, "3904 Error bootstrap\n") {
            self = .bootstrapRejected
        } else if has("Status JobId=") {
            var fields = try ScannedFields(bytes, format: "Status JobId=%d JobStatus=%d", kind: "status line")
            self = .jobStatus(jobID: try fields.integer(), status: JobStatus(rawValue: try fields.integer()))
        } else if has("3010 Job ") {
            var fields = try ScannedFields(bytes, format: "3010 Job %127s start", kind: "job start report")
            self = .jobStarted(job: try fields.name())
        } else if has("3099 Job ") {
            self = .jobEnded(try JobEndReport(parsing: bytes))
        } else if has("3000 JobId=") {
            var fields = try ScannedFields(bytes, format: "3000 JobId=%d Job=\"", kind: "cancel reply")
            let jobID: UInt32 = try fields.integer()
            let rest = Line.rest(bytes, after: "3000 JobId=\(jobID) Job=\"")
            let marker = Array("\" marked to be ".utf8)
            guard let split = rest.firstRange(of: marker), rest.last == UInt8(ascii: ".") else {
                throw MessageError(kind: "cancel reply", reason: .unrecognized, line: bytes)
            }
            self = .jobMarked(
                jobID: jobID, job: Line.text(Array(rest[..<split.lowerBound])),
                state: Line.text(Array(rest[split.upperBound...].dropLast())))
        } else if has("3904 Job "), Line.text(bytes).hasSuffix(" not found.\n") {
            let inner = Line.rest(bytes, after: "3904 Job ")
            self = .jobNotFound(job: Line.text(Array(inner.dropLast(" not found.".utf8.count))))
        } else if has("3900 Invalid command: ") {
            self = .invalidCommand(command: Line.text(Line.rest(bytes, after: "3900 Invalid command: ")))
        } else if Line.equals(bytes, "3000 OK client command\n") {
            self = .clientCommandAccepted
        } else if Line.equals(bytes, "2000 OK storage\n") {
            self = .storageConnected
        } else if Line.equals(bytes, "2902 Bad storage\n") {
            self = .storageFailed
        } else if ChangerMessage.claims(bytes) {
            self = .changer(try ChangerMessage(parsing: bytes))
        } else if has(LabelResult.prefix) {
            self = .labelled(try LabelResult(parsing: bytes))
        } else if let device = try Self.deviceReply(bytes) {
            self = device
        } else if let error = Self.deviceError(bytes) {
            self = error
        } else {
            self = .statusText(bytes)
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .jobAccepted(let id, let time, let key):
            return Line.bytes("3000 OK Job SDid=\(id) SDtime=\(time) Authorization=\(key)\n")
        case .badJobCommand(let status, let command):
            return Line.bytes("3915 Bad Job command. stat=\(status) CMD: \(command)\n")
        case .deviceReserved(let device): return Line.bytes(Self.reservedPrefix + BashedName.bash(device) + "\n")
        case .deviceUnavailable(let device): return Line.bytes("3924 Device \"\(device)" + Self.unavailableSuffix)
        case .badUseCommand(let command): return Line.bytes("3913 Bad use command: \(command)\n")
        case .bootstrapAccepted: return Line.bytes("3000 OK bootstrap\n")
        case .bootstrapRejected: return Line.bytes("3904 Error bootstrap\n")
        case .jobStatus(let id, let status): return Line.bytes("Status JobId=\(id) JobStatus=\(status.rawValue)\n")
        case .jobStarted(let job): return Line.bytes("3010 Job \(BashedName.bash(job)) start\n")
        case .jobEnded(let report): return report.bytes
        case .jobMarked(let id, let job, let state):
            return Line.bytes("3000 JobId=\(id) Job=\"\(job)\" marked to be \(state).\n")
        case .jobNotFound(let job): return Line.bytes("3904 Job \(job) not found.\n")
        case .invalidCommand(let command): return Line.bytes("3900 Invalid command: \(command)\n")
        case .clientCommandAccepted: return Line.bytes("3000 OK client command\n")
        case .storageConnected: return Line.bytes("2000 OK storage\n")
        case .storageFailed: return Line.bytes("2902 Bad storage\n")
        case .changer(let message): return message.bytes
        case .labelled(let result): return result.bytes
        case .alreadyLabelled(let volume): return Self.alreadyLabelledTemplate.print([volume])
        case .mounted(let volume): return Self.mountedTemplate.print([volume])
        case .alreadyMounted(let device, let volume): return Self.alreadyMountedTemplate.print([device.text, volume])
        case .isMounted(let device, let volume): return Self.isMountedTemplate.print([device.text, volume])
        case .unmounted(let device): return Self.unmountedTemplate.print([device.text])
        case .released(let device): return Self.releasedTemplate.print([device.text])
        case .labelRead(let volume, let slot): return Self.labelReadTemplate.print([volume, "\(slot)"])
        case .alreadyUnmounted(let device): return Self.alreadyUnmountedTemplate.print([device.text])
        case .alreadyReleased(let device): return Self.alreadyReleasedTemplate.print([device.text])
        case .openFailed(let device, let error): return Self.openFailedTemplate.print([device.text, error])
        case .statusText(let bytes): return bytes
        case .deviceError(let code, let message):
            return Line.bytes("\(code) \(String(message.map { $0 == "\n" ? " " : $0 }))\n")
        }
    }

    /// The mount/unmount/release/label/readlabel answers; nil when `bytes` is none of them.
    private static func deviceReply(_ bytes: [UInt8]) throws(MessageError) -> StorageReply? {
        let kind = "device command reply"
        func device(_ text: String) throws(MessageError) -> DeviceDescription {
            guard let device = DeviceDescription(text: text) else {
                throw MessageError(kind: kind, reason: .badField(field: "Device"), line: bytes)
            }
            return device
        }
        if let f = alreadyMountedTemplate.match(bytes) {
            return .alreadyMounted(device: try device(f[0]), volume: f[1])
        } else if let f = isMountedTemplate.match(bytes) {
            return .isMounted(device: try device(f[0]), volume: f[1])
        } else if let f = unmountedTemplate.match(bytes) {
            return .unmounted(device: try device(f[0]))
        } else if let f = releasedTemplate.match(bytes) {
            return .released(device: try device(f[0]))
        } else if let f = alreadyUnmountedTemplate.match(bytes) {
            return .alreadyUnmounted(device: try device(f[0]))
        } else if let f = alreadyReleasedTemplate.match(bytes) {
            return .alreadyReleased(device: try device(f[0]))
        } else if let f = openFailedTemplate.match(bytes) {
            return .openFailed(device: try device(f[0]), error: f[1])
        } else if let f = alreadyLabelledTemplate.match(bytes) {
            return .alreadyLabelled(volume: f[0])
        } else if let f = mountedTemplate.match(bytes) {
            return .mounted(volume: f[0])
        } else if let f = labelReadTemplate.match(bytes) {
            return .labelRead(
                volume: f[0], slot: try CanonicalInteger.field(f[1], name: "Slot", kind: kind, line: bytes))
        }
        return nil
    }

    public var frame: Frame { .payload(bytes) }

    /// `39NN text\n` with a single line of text.
    static func deviceError(_ bytes: [UInt8]) -> StorageReply? {
        guard bytes.count > 6, bytes[0] == UInt8(ascii: "3"), bytes[1] == UInt8(ascii: "9"), bytes.last == 0x0A,
            bytes[2...3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), bytes[4] == UInt8(ascii: " "),
            let code = Int32(Line.text(Array(bytes[0..<4])))
        else { return nil }
        let message = Line.text(Array(bytes[5..<(bytes.count - 1)]))
        guard !message.contains("\n") else { return nil }
        return .deviceError(code: code, message: message)
    }
}

/// `3099 Job %s end JobStatus=%d JobFiles=%d JobBytes=%s JobErrors=%u ErrMsg=%s\n` [WIRE] — the SD's last word on a
/// job; the Director's SD reader stops at it. JobBytes counts every record byte stored, attributes included.
public struct JobEndReport: Hashable, Sendable {
    public var job: String
    public var status: JobStatus
    public var jobFiles: UInt32
    public var jobBytes: UInt64
    public var jobErrors: UInt32
    /// Empty when there was none (printed bashed).
    public var errorMessage: String

    public init(
        job: String, status: JobStatus, jobFiles: UInt32, jobBytes: UInt64, jobErrors: UInt32 = 0,
        errorMessage: String = ""
    ) {
        self.job = job
        self.status = status
        self.jobFiles = jobFiles
        self.jobBytes = jobBytes
        self.jobErrors = jobErrors
        self.errorMessage = errorMessage
    }

    public init(parsing line: [UInt8]) throws(MessageError) {
        var fields = try ScannedFields(
            line, format: "3099 Job %127s end JobStatus=%d JobFiles=%d JobBytes=%d JobErrors=%d ErrMsg=%s",
            kind: "job end report")
        job = try fields.name()
        status = JobStatus(rawValue: try fields.integer())
        jobFiles = try fields.integer()
        jobBytes = try fields.integer()
        jobErrors = try fields.integer()
        errorMessage = BashedName.unbash(try fields.raw())
    }

    public var bytes: [UInt8] {
        Line.bytes(
            "3099 Job \(BashedName.bash(job)) end JobStatus=\(status.rawValue) JobFiles=\(jobFiles) "
                + "JobBytes=\(jobBytes) JobErrors=\(jobErrors) ErrMsg=\(BashedName.bash(errorMessage))\n")
    }
}
