import BaculaWire

/// A catalog request the SD sends on its Director connection (spec §3.3.5) [WIRE: every request of the capture
/// round-trips byte-for-byte]. The Director dispatches on the first letter (`C`atReq, `U`pdCat, `B`lastAttr).
public enum CatalogRequest: Hashable, Sendable {
    /// `CatReq JobId=%ld FindMedia=%d pool_name=%s media_type=%s vol_type=%d\n`; `index` counts attempts from 1.
    case findMedia(jobID: UInt32, index: Int32, poolName: String, mediaType: String, volumeType: Int32)
    /// `CatReq JobId=%ld GetVolInfo VolName=%s write=%d\n`.
    case volumeInfo(jobID: UInt32, volumeName: String, forWriting: Bool)
    /// `CatReq JobId=%ld UpdateMedia VolName=%s ...\n` (26 fields).
    case updateMedia(jobID: UInt32, MediaUpdate)
    /// `CatReq JobId=%ld CreateJobMedia\n`, then one frame per record, then EOD.
    case createJobMedia(jobID: UInt32, [JobMediaRecord])
    /// `UpdCat JobId=%ld FileAttributes ` + binary header + record (no reply).
    case fileAttributes(AttributeUpdate)
    /// `BlastAttr JobId=%d File=%s\n`: the Director may load the spool file itself.
    case blastAttributes(jobID: UInt32, file: String)

    public var jobID: UInt32 {
        switch self {
        case .findMedia(let id, _, _, _, _), .volumeInfo(let id, _, _), .updateMedia(let id, _),
            .createJobMedia(let id, _), .blastAttributes(let id, _):
            return id
        case .fileAttributes(let update): return update.jobID
        }
    }

    /// False only for UpdCat, which the Director never answers.
    public var expectsReply: Bool {
        if case .fileAttributes = self { return false }
        return true
    }

    /// Parses the first frame of a request. A `CreateJobMedia` line parses with no records: they follow as
    /// separate frames (`JobMediaRecord(parsing:)`) up to EOD.
    public init(parsing bytes: [UInt8]) throws(MessageError) {
        func has(_ prefix: String) -> Bool { Line.starts(bytes, with: prefix) }
        if has("UpdCat ") {
            self = .fileAttributes(try AttributeUpdate(parsing: bytes))
        } else if has("BlastAttr ") {
            var f = try ScannedFields(bytes, format: "BlastAttr JobId=%d File=%s", kind: "BlastAttr request")
            self = .blastAttributes(jobID: try f.integer(), file: try f.name())
        } else if has("CatReq ") {
            guard let head = BScanf.scan(bytes, format: "CatReq JobId=%d %s"), let verb = head[1].string else {
                throw MessageError(kind: "catalog request", reason: .unrecognized, line: bytes)
            }
            if verb.hasPrefix("FindMedia=") {
                var f = try ScannedFields(
                    bytes, format: "CatReq JobId=%d FindMedia=%d pool_name=%127s media_type=%127s vol_type=%d",
                    kind: "CatReq FindMedia")
                self = .findMedia(
                    jobID: try f.integer(), index: try f.integer(), poolName: try f.name(), mediaType: try f.name(),
                    volumeType: try f.integer())
            } else if verb == "GetVolInfo" {
                var f = try ScannedFields(
                    bytes, format: "CatReq JobId=%d GetVolInfo VolName=%127s write=%d", kind: "CatReq GetVolInfo")
                self = .volumeInfo(jobID: try f.integer(), volumeName: try f.name(), forWriting: try f.flag())
            } else if verb == "UpdateMedia" {
                var f = try ScannedFields(
                    bytes, format: "CatReq JobId=%d UpdateMedia " + MediaUpdate.fieldsFormat, kind: "CatReq UpdateMedia"
                )
                let jobID: UInt32 = try f.integer()
                self = .updateMedia(jobID: jobID, try MediaUpdate(fields: &f))
            } else if verb == "CreateJobMedia" {
                var f = try ScannedFields(
                    bytes, format: "CatReq JobId=%d CreateJobMedia", kind: "CatReq CreateJobMedia")
                self = .createJobMedia(jobID: try f.integer(), [])
            } else {
                throw MessageError(kind: "catalog request", reason: .unrecognized, line: bytes)
            }
        } else {
            throw MessageError(kind: "catalog request", reason: .unrecognized, line: bytes)
        }
    }

    /// The first frame's payload.
    public var bytes: [UInt8] {
        let bash = BashedName.bash
        switch self {
        case .findMedia(let id, let index, let pool, let mediaType, let volumeType):
            return Line.bytes(
                "CatReq JobId=\(id) FindMedia=\(index) pool_name=\(bash(pool)) media_type=\(bash(mediaType)) "
                    + "vol_type=\(volumeType)\n")
        case .volumeInfo(let id, let name, let write):
            return Line.bytes("CatReq JobId=\(id) GetVolInfo VolName=\(bash(name)) write=\(write ? 1 : 0)\n")
        case .updateMedia(let id, let update):
            return Line.bytes("CatReq JobId=\(id) UpdateMedia \(update.fieldsText)\n")
        case .createJobMedia(let id, _): return Line.bytes("CatReq JobId=\(id) CreateJobMedia\n")
        case .fileAttributes(let update): return update.bytes
        case .blastAttributes(let id, let file): return Line.bytes("BlastAttr JobId=\(id) File=\(bash(file))\n")
        }
    }

    /// Every frame of the request: the line, and for CreateJobMedia its records and the closing EOD.
    public var frames: [Frame] {
        guard case .createJobMedia(_, let records) = self else { return [.payload(bytes)] }
        return [.payload(bytes)] + records.map { .payload($0.bytes) } + [.signal(.endOfData)]
    }
}

/// One JobMedia item: `%u %u %u %u %u %u %lld\n` = FirstIndex LastIndex StartFile EndFile StartBlock EndBlock
/// MediaId (spec §3.3.5 d) [WIRE]. For disk volumes the file/block pairs are the high/low halves of byte addresses.
public struct JobMediaRecord: Hashable, Sendable {
    public var firstIndex: UInt32
    public var lastIndex: UInt32
    public var startFile: UInt32
    public var endFile: UInt32
    public var startBlock: UInt32
    public var endBlock: UInt32
    public var mediaID: Int64

    public init(
        firstIndex: UInt32, lastIndex: UInt32, startFile: UInt32, endFile: UInt32, startBlock: UInt32,
        endBlock: UInt32, mediaID: Int64
    ) {
        self.firstIndex = firstIndex
        self.lastIndex = lastIndex
        self.startFile = startFile
        self.endFile = endFile
        self.startBlock = startBlock
        self.endBlock = endBlock
        self.mediaID = mediaID
    }

    /// A record from two 64-bit volume addresses (tape file:block or disk byte offsets).
    public init(firstIndex: UInt32, lastIndex: UInt32, start: UInt64, end: UInt64, mediaID: Int64) {
        self.init(
            firstIndex: firstIndex, lastIndex: lastIndex, startFile: UInt32(truncatingIfNeeded: start >> 32),
            endFile: UInt32(truncatingIfNeeded: end >> 32), startBlock: UInt32(truncatingIfNeeded: start),
            endBlock: UInt32(truncatingIfNeeded: end), mediaID: mediaID)
    }

    public var startAddress: UInt64 { UInt64(startFile) << 32 | UInt64(startBlock) }
    public var endAddress: UInt64 { UInt64(endFile) << 32 | UInt64(endBlock) }

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        var f = try ScannedFields(bytes, format: "%u %u %u %u %u %u %lld", kind: "JobMedia record")
        self.init(
            firstIndex: try f.integer(), lastIndex: try f.integer(), startFile: try f.integer(),
            endFile: try f.integer(), startBlock: try f.integer(), endBlock: try f.integer(), mediaID: try f.integer())
    }

    public var bytes: [UInt8] {
        Line.bytes("\(firstIndex) \(lastIndex) \(startFile) \(endFile) \(startBlock) \(endBlock) \(mediaID)\n")
    }
}

/// `UpdCat JobId=%ld FileAttributes ` + a 20-byte big-endian header (VolSessionId, VolSessionTime, FileIndex,
/// Stream, DataLength) + the record exactly as the FD sent it (spec §3.3.5 e) [WIRE: the captured packets of the
/// inline-attributes run; the same packets are what a spooled-attributes despool re-sends after a refused BlastAttr].
public struct AttributeUpdate: Hashable, Sendable {
    public var jobID: UInt32
    public var sessionID: UInt32
    public var sessionTime: UInt32
    public var fileIndex: Int32
    public var stream: Int32
    public var data: [UInt8]

    public init(jobID: UInt32, sessionID: UInt32, sessionTime: UInt32, fileIndex: Int32, stream: Int32, data: [UInt8]) {
        self.jobID = jobID
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.fileIndex = fileIndex
        self.stream = stream
        self.data = data
    }

    static let kind = "UpdCat request"
    static let headerLength = 20

    /// Parses the packet; the header's DataLength must equal the bytes that follow it.
    public init(parsing bytes: [UInt8]) throws(MessageError) {
        let header = try bytes.withUnsafeBufferPointer { buffer throws(MessageError) in
            try Header(parsing: buffer)
        }
        self.init(
            jobID: header.jobID, sessionID: header.sessionID, sessionTime: header.sessionTime,
            fileIndex: header.fileIndex, stream: header.stream, data: Array(bytes[header.dataStart...]))
    }

    /// The fixed part of an `UpdCat` packet, read in place: what a Director needs to file the record without
    /// copying it (`dataStart` is where the record begins in the packet; it runs to the packet's end).
    public struct Header: Hashable, Sendable {
        public var jobID: UInt32
        public var sessionID: UInt32
        public var sessionTime: UInt32
        public var fileIndex: Int32
        public var stream: Int32
        public var dataStart: Int

        static let prefix = Array("UpdCat JobId=".utf8)
        static let middle = Array(" FileAttributes ".utf8)

        /// Reads `UpdCat JobId=N FileAttributes ` (N in decimal as the SD prints it: digits, no sign, no leading
        /// zero) and the 20-byte header; the header's DataLength must equal the bytes that follow it.
        public init(parsing bytes: UnsafeBufferPointer<UInt8>) throws(MessageError) {
            func fail(_ reason: MessageError.Reason) -> MessageError {
                MessageError(kind: AttributeUpdate.kind, reason: reason, line: Array(bytes.prefix(96)))
            }
            let prefix = Self.prefix
            guard bytes.count > prefix.count, bytes.starts(with: prefix) else { throw fail(.unrecognized) }
            var at = prefix.count
            var value: UInt64 = 0
            let digitsStart = at
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9"), at - digitsStart < 11 {
                value = value * 10 + UInt64(bytes[at] - UInt8(ascii: "0"))
                at += 1
            }
            let digits = at - digitsStart
            guard digits > 0, digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw fail(.unrecognized) }
            guard value <= UInt64(UInt32.max) else {
                throw fail(.outOfRange(field: "JobId", value: Int64(value)))
            }
            let middle = Self.middle
            guard bytes.count - at >= middle.count,
                UnsafeBufferPointer(rebasing: bytes[at..<(at + middle.count)]).elementsEqual(middle)
            else { throw fail(.unrecognized) }
            at += middle.count
            guard bytes.count >= at + AttributeUpdate.headerLength else {
                throw fail(.badLength(expected: at + AttributeUpdate.headerLength, actual: bytes.count))
            }
            func word(_ index: Int) -> UInt32 {
                let w = at + 4 * index
                return UInt32(bytes[w]) << 24 | UInt32(bytes[w + 1]) << 16 | UInt32(bytes[w + 2]) << 8 | UInt32(bytes[w + 3])
            }
            let length = Int(word(4))
            let available = bytes.count - at - AttributeUpdate.headerLength
            guard length == available else { throw fail(.badLength(expected: length, actual: available)) }
            jobID = UInt32(value)
            sessionID = word(0)
            sessionTime = word(1)
            fileIndex = Int32(bitPattern: word(2))
            stream = Int32(bitPattern: word(3))
            dataStart = at + AttributeUpdate.headerLength
        }
    }

    public var bytes: [UInt8] {
        var out = Line.bytes("UpdCat JobId=\(jobID) FileAttributes ")
        for word in [
            sessionID, sessionTime, UInt32(bitPattern: fileIndex), UInt32(bitPattern: stream), UInt32(data.count),
        ] {
            out += [
                UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word),
            ]
        }
        return out + data
    }
}
