/// What the SD answers an FD on the data connection (spec §3.4.2, §3.4.6). [WIRE] forms were captured and
/// round-trip byte-for-byte in the tests; [SRC] forms follow the spec.
///
/// Note [WIRE]: the close reply is `3000 OK close Status = %d\n` with spaces around `=` and no `Errors=` field.
public enum FileDaemonSessionReply: Hashable, Sendable {
    /// [WIRE] `3000 OK open ticket = %d\n` (the ticket is the job's VolSessionId).
    case ticket(Int32)
    /// [WIRE] `3000 OK data\n`: the volume is ready; for append the FD starts sending, for read the SD does.
    case dataReady
    /// [WIRE] `3000 OK append data\n`: every record up to the end-of-data EOD is stored.
    case appendDataStored
    /// [SRC] `3999 Failed append\n`.
    case appendFailed
    /// [SRC] `3903 Error append data: %s\n`.
    case appendDataError(String)
    /// [WIRE] `3000 OK end\n`.
    case sessionEnded
    /// [WIRE] `3000 OK close Status = %d\n` (followed by an EOD frame).
    case sessionClosed(status: JobStatus)
    /// [SRC] `3901 Error session already open\n`.
    case sessionAlreadyOpen
    /// [SRC] `3902 Error session not opened\n`.
    case sessionNotOpened
    /// [SRC] `3900 Invalid command\n`; the SD then ends the session.
    case invalidCommand
    /// [SRC, spec §3.4.6] `3000 error\n`: no volume could be mounted for a read.
    case readDataFailed

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        let kind = "SD reply to an FD"
        func has(_ prefix: String) -> Bool { Line.starts(bytes, with: prefix) }
        if has("3000 OK open ticket = ") {
            var f = try ScannedFields(bytes, format: "3000 OK open ticket = %d", kind: kind)
            self = .ticket(try f.integer())
        } else if has("3000 OK close Status = ") {
            var f = try ScannedFields(bytes, format: "3000 OK close Status = %d", kind: kind)
            self = .sessionClosed(status: JobStatus(rawValue: try f.integer()))
        } else if has("3903 Error append data: ") {
            self = .appendDataError(Line.text(Line.rest(bytes, after: "3903 Error append data: ")))
        } else if let fixed = Self.fixedLines.first(where: { $0.bytes == bytes }) {
            self = fixed.reply
        } else {
            throw MessageError(kind: kind, reason: .unrecognized, line: bytes)
        }
    }

    private static let fixed: [FileDaemonSessionReply] = [
        .dataReady, .appendDataStored, .appendFailed, .sessionEnded, .sessionAlreadyOpen, .sessionNotOpened,
        .invalidCommand, .readDataFailed,
    ]

    /// The fixed replies with their lines, made once (every line the SD reads is compared with them).
    private static let fixedLines: [(reply: FileDaemonSessionReply, bytes: [UInt8])] = fixed.map { ($0, $0.bytes) }

    public var bytes: [UInt8] {
        switch self {
        case .ticket(let ticket): return Line.bytes("3000 OK open ticket = \(ticket)\n")
        case .dataReady: return Line.bytes("3000 OK data\n")
        case .appendDataStored: return Line.bytes("3000 OK append data\n")
        case .appendFailed: return Line.bytes("3999 Failed append\n")
        case .appendDataError(let text): return Line.bytes("3903 Error append data: \(text)\n")
        case .sessionEnded: return Line.bytes("3000 OK end\n")
        case .sessionClosed(let status): return Line.bytes("3000 OK close Status = \(status.rawValue)\n")
        case .sessionAlreadyOpen: return Line.bytes("3901 Error session already open\n")
        case .sessionNotOpened: return Line.bytes("3902 Error session not opened\n")
        case .invalidCommand: return Line.bytes("3900 Invalid command\n")
        case .readDataFailed: return Line.bytes("3000 error\n")
        }
    }
}
