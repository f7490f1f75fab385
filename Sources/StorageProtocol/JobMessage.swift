import BaculaWire

/// `Jmsg JobId=%ld type=%d level=%lld %s` — a job message the SD (or FD) sends to the Director (spec §3.5.4)
/// [WIRE: every Jmsg of the capture round-trips byte-for-byte]. The text is already prefixed by the sender
/// (`<daemon> JobId <n>: `) and ends with `\n`; it is kept as bytes because it may quote non-UTF-8 file names.
public struct JobMessage: Hashable, Sendable {
    /// `Jmsg JobId=%ld` (the usual form) or `Jmsg Job=%s` (also accepted by a Director).
    public enum JobReference: Hashable, Sendable {
        case jobID(UInt32)
        case job(String)
    }

    public var job: JobReference
    public var type: MessageType
    /// The message time in Unix seconds (0 = now); Bacula calls it "level".
    public var time: Int64
    public var text: [UInt8]

    public init(job: JobReference, type: MessageType, time: Int64, text: [UInt8]) {
        self.job = job
        self.type = type
        self.time = time
        self.text = text
    }

    /// A message from daemon `daemon` about job `jobID`, prefixed and terminated the way 9.6 does.
    public init(jobID: UInt32, type: MessageType, time: Int64, daemon: String, message: String) {
        let severity: String
        switch type {
        case .fatal, .abort: severity = "Fatal error: "
        case .error, .errorTerm: severity = "Error: "
        case .warning: severity = "Warning: "
        case .security: severity = "Security Alert: "
        default: severity = ""
        }
        let body = message.hasSuffix("\n") ? message : message + "\n"
        self.init(
            job: .jobID(jobID), type: type, time: time, text: Line.bytes("\(daemon) JobId \(jobID): \(severity)\(body)")
        )
    }

    static let kind = "job message"

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var head: String
        if Line.starts(bytes, with: "Jmsg Job=") {
            var f = try ScannedFields(bytes, format: "Jmsg Job=%127s type=%d level=%lld", kind: Self.kind)
            let name = try f.raw()
            job = .job(BashedName.unbash(name))
            type = MessageType(rawValue: try f.integer())
            time = try f.integer()
            head = "Jmsg Job=\(name) type=\(type.rawValue) level=\(time) "
        } else {
            var f = try ScannedFields(bytes, format: "Jmsg JobId=%ld type=%d level=%lld", kind: Self.kind)
            let id: UInt32 = try f.integer()
            job = .jobID(id)
            type = MessageType(rawValue: try f.integer())
            time = try f.integer()
            head = "Jmsg JobId=\(id) type=\(type.rawValue) level=\(time) "
        }
        guard Line.starts(bytes, with: head) else {
            throw MessageError(kind: Self.kind, reason: .badField(field: "text"), line: bytes)
        }
        text = Array(bytes.dropFirst(head.utf8.count))
    }

    public var bytes: [UInt8] {
        switch job {
        case .jobID(let id): return Line.bytes("Jmsg JobId=\(id) type=\(type.rawValue) level=\(time) ") + text
        case .job(let name):
            return Line.bytes("Jmsg Job=\(BashedName.bash(name)) type=\(type.rawValue) level=\(time) ") + text
        }
    }
}
