/// A command an FD sends on its data connection to the SD, after authentication (spec §3.4.2, §3.4.6)
/// [WIRE: every command of the backup and restore sessions round-trips byte-for-byte].
public enum FileDaemonCommand: Hashable, Sendable {
    /// `append open session\n`.
    case appendOpen
    /// `append data %d\n` (the ticket).
    case appendData(ticket: Int32)
    /// `append end session %d\n`.
    case appendEnd(ticket: Int32)
    /// `append close session %d\n`.
    case appendClose(ticket: Int32)
    /// `read open session = %s %ld %ld %ld %ld %ld %ld\n`.
    case readOpen(ReadOpenRequest)
    /// `read data %d\n`.
    case readData(ticket: Int32)
    /// `read close session %d\n`.
    case readClose(ticket: Int32)

    /// The command word(s), for errors.
    public var name: String {
        switch self {
        case .appendOpen: return "append open session"
        case .appendData: return "append data"
        case .appendEnd: return "append end session"
        case .appendClose: return "append close session"
        case .readOpen: return "read open session"
        case .readData: return "read data"
        case .readClose: return "read close session"
        }
    }

    static let kind = "FD session command"

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        func ticket(_ format: String) throws(MessageError) -> Int32 {
            var f = try ScannedFields(bytes, format: format, kind: Self.kind)
            return try f.integer()
        }
        func has(_ prefix: String) -> Bool { Line.starts(bytes, with: prefix) }
        if has("append open session") {
            self = .appendOpen
        } else if has("append data ") {
            self = .appendData(ticket: try ticket("append data %d"))
        } else if has("append end session ") {
            self = .appendEnd(ticket: try ticket("append end session %d"))
        } else if has("append close session ") {
            self = .appendClose(ticket: try ticket("append close session %d"))
        } else if has("read open session") {
            self = .readOpen(try ReadOpenRequest(parsing: bytes))
        } else if has("read data ") {
            self = .readData(ticket: try ticket("read data %d"))
        } else if has("read close session ") {
            self = .readClose(ticket: try ticket("read close session %d"))
        } else {
            throw MessageError(kind: Self.kind, reason: .unrecognized, line: bytes)
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .appendOpen: return Line.bytes("append open session\n")
        case .appendData(let ticket): return Line.bytes("append data \(ticket)\n")
        case .appendEnd(let ticket): return Line.bytes("append end session \(ticket)\n")
        case .appendClose(let ticket): return Line.bytes("append close session \(ticket)\n")
        case .readOpen(let request): return request.bytes
        case .readData(let ticket): return Line.bytes("read data \(ticket)\n")
        case .readClose(let ticket): return Line.bytes("read close session \(ticket)\n")
        }
    }
}

/// `read open session = %127s %ld %ld %ld %ld %ld %ld\n`: volume name (the literal `DummyVolume` from a 9.6 FD),
/// the restore job's own VolSessionId / VolSessionTime, then StartFile EndFile StartBlock EndBlock (all 0).
/// A real SD ignores these values and reads what the bootstrap selects (spec §3.4.6) [WIRE].
public struct ReadOpenRequest: Hashable, Sendable {
    public var volumeName: String
    public var sessionID: Int64
    public var sessionTime: Int64
    public var startFile: Int64
    public var endFile: Int64
    public var startBlock: Int64
    public var endBlock: Int64

    public init(
        volumeName: String = "DummyVolume", sessionID: Int64, sessionTime: Int64, startFile: Int64 = 0,
        endFile: Int64 = 0, startBlock: Int64 = 0, endBlock: Int64 = 0
    ) {
        self.volumeName = volumeName
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.startFile = startFile
        self.endFile = endFile
        self.startBlock = startBlock
        self.endBlock = endBlock
    }

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var f = try ScannedFields(
            bytes, format: "read open session = %127s %ld %ld %ld %ld %ld %ld", kind: FileDaemonCommand.kind)
        self.init(
            volumeName: try f.raw(), sessionID: try f.int64(), sessionTime: try f.int64(), startFile: try f.int64(),
            endFile: try f.int64(), startBlock: try f.int64(), endBlock: try f.int64())
    }

    public var bytes: [UInt8] {
        Line.bytes(
            "read open session = \(volumeName) \(sessionID) \(sessionTime) \(startFile) \(endFile) \(startBlock) "
                + "\(endBlock)\n")
    }
}
