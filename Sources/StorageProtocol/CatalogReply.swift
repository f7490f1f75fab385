/// The Director's answer to a catalog request (spec §3.3.5). Recognised by content alone: every answer starts with a
/// `1` and names what it answers, so no request context is needed to parse one.
public enum CatalogReply: Hashable, Sendable {
    /// [WIRE] `1000 OK VolName=...` (31 fields): answer to FindMedia, GetVolInfo and UpdateMedia.
    case volume(VolumeInfo)
    /// [SRC] `1901 No Media. %s\n` (reason without its newline).
    case noMedia(reason: String)
    /// [SRC] `1997 Volume "%s" not in catalog.\n`.
    case volumeNotInCatalog(volumeName: String)
    /// [SRC] `1998 Volume "%s" catalog status is %s, %s.\n`.
    case volumeNotUsable(volumeName: String, status: String, reason: String)
    /// [SRC] `1993 Update Media error\n`.
    case updateMediaFailed
    /// [WIRE] `1000 OK CreateJobMedia\n`.
    case jobMediaCreated
    /// [SRC] `1992 Create JobMedia error\n`.
    case jobMediaFailed
    /// [WIRE] `1000 OK BlastAttr\n`: the Director loaded the spool file itself.
    case attributesLoaded
    /// [WIRE, transcript] `1990 ERROR BlastAttr\n`: the SD must re-send the spooled attributes as UpdCat packets.
    case attributesRefused
    /// [SRC] `1990 Invalid Catalog Request: %s` and other `1991 ...` failures: any other line starting with a digit,
    /// kept as sent.
    case failure([UInt8])

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        if Line.starts(bytes, with: VolumeInfo.prefix) {
            self = .volume(try VolumeInfo(parsing: bytes))
            return
        }
        switch Line.text(bytes) {
        case "1000 OK CreateJobMedia\n": self = .jobMediaCreated
        case "1992 Create JobMedia error\n": self = .jobMediaFailed
        case "1000 OK BlastAttr\n": self = .attributesLoaded
        case "1990 ERROR BlastAttr\n": self = .attributesRefused
        case "1993 Update Media error\n": self = .updateMediaFailed
        default:
            if let name = Self.quoted(bytes, prefix: "1997 Volume \"", suffix: "\" not in catalog.\n") {
                self = .volumeNotInCatalog(volumeName: name)
            } else if Line.starts(bytes, with: "1998 Volume \""), bytes.last == 0x0A,
                // searched after the opening quote: in `1998 Volume " catalog status is …` that quote is not the end
                let split = bytes[13...].firstRange(of: Array("\" catalog status is ".utf8))
            {
                let name = Array(bytes[13..<split.lowerBound])
                let tail = Array(bytes[split.upperBound..<(bytes.count - 1)])
                guard tail.last == UInt8(ascii: "."), let comma = tail.firstRange(of: Array(", ".utf8)) else {
                    throw MessageError(kind: "volume status reply", reason: .unrecognized, line: bytes)
                }
                self = .volumeNotUsable(
                    volumeName: Line.text(name), status: Line.text(Array(tail[..<comma.lowerBound])),
                    reason: Line.text(Array(tail[comma.upperBound..<(tail.count - 1)])))
            } else if Line.starts(bytes, with: "1901 No Media. "), bytes.last == 0x0A {
                self = .noMedia(reason: Line.text(Line.rest(bytes, after: "1901 No Media. ")))
            } else if let first = bytes.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") {
                self = .failure(bytes)
            } else {
                throw MessageError(kind: "catalog reply", reason: .unrecognized, line: bytes)
            }
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .volume(let info): return info.bytes
        case .noMedia(let reason): return Line.bytes("1901 No Media. \(reason)\n")
        case .volumeNotInCatalog(let name): return Line.bytes("1997 Volume \"\(name)\" not in catalog.\n")
        case .volumeNotUsable(let name, let status, let reason):
            return Line.bytes("1998 Volume \"\(name)\" catalog status is \(status), \(reason).\n")
        case .updateMediaFailed: return Line.bytes("1993 Update Media error\n")
        case .jobMediaCreated: return Line.bytes("1000 OK CreateJobMedia\n")
        case .jobMediaFailed: return Line.bytes("1992 Create JobMedia error\n")
        case .attributesLoaded: return Line.bytes("1000 OK BlastAttr\n")
        case .attributesRefused: return Line.bytes("1990 ERROR BlastAttr\n")
        case .failure(let bytes): return bytes
        }
    }

    /// True for the answers that grant what was asked.
    public var isSuccess: Bool {
        switch self {
        case .volume, .jobMediaCreated, .attributesLoaded: return true
        default: return false
        }
    }

    private static func quoted(_ bytes: [UInt8], prefix: String, suffix: String) -> String? {
        let head = Array(prefix.utf8)
        let tail = Array(suffix.utf8)
        guard bytes.count > head.count + tail.count, bytes.starts(with: head),
            bytes.suffix(tail.count).elementsEqual(tail)
        else { return nil }
        return Line.text(Array(bytes[head.count..<(bytes.count - tail.count)]))
    }
}
