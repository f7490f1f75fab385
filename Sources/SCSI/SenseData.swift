/// The sense key: the broad class of a CHECK CONDITION.
public enum SenseKey: UInt8, Equatable, Sendable, CustomStringConvertible {
    case noSense = 0x0, recoveredError, notReady, mediumError, hardwareError, illegalRequest, unitAttention
    case dataProtect, blankCheck, vendorSpecific, copyAborted, abortedCommand, equal, volumeOverflow, miscompare
    case completed

    public var description: String {
        [
            "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR", "ILLEGAL REQUEST",
            "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
            "EQUAL", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED",
        ][Int(rawValue)]
    }
}

/// Decoded sense data (fixed format 70h/71h or descriptor format 72h/73h).
public struct SenseData: Equatable, Sendable, CustomStringConvertible {
    public enum Format: Equatable, Sendable { case fixed, descriptor }

    public var format: Format
    /// The error belongs to an earlier command (response code 71h/73h).
    public var deferred: Bool
    public var key: SenseKey
    public var additional: AdditionalSense
    /// A filemark was read or spaced over (tape).
    public var filemark: Bool
    /// End of medium or end of partition (tape: early warning, or end of data on some emulations).
    public var endOfMedium: Bool
    /// Incorrect length: the record was not the size asked for (tape, variable mode).
    public var incorrectLength: Bool
    /// The INFORMATION field when valid: for tape reads, the residue (requested minus actual; negative when the
    /// record was longer than asked); for other commands, an address.
    public var information: Int64?
    /// Command-specific information (fixed bytes 8–11 or descriptor type 01h), when non-zero.
    public var commandSpecific: UInt64?
    /// Sense-key specific bytes when SKSV is set (e.g. the field pointer of an ILLEGAL REQUEST).
    public var senseKeySpecific: [UInt8]?

    /// REQUEST SENSE (03h). `descriptorFormat` asks for 72h-format data (DESC bit).
    public static func requestSense(allocationLength: UInt8 = 252, descriptorFormat: Bool = false) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x03, descriptorFormat ? 1 : 0, 0, 0, allocationLength, 0],
            timeoutMilliseconds: CommandTimeout.status, transfer: .fromDevice(allocationLength: Int(allocationLength)),
            name: "REQUEST SENSE")
    }

    /// Decodes sense bytes. Fixed format needs 3 bytes (ASC/ASCQ read as 0 when the reply ends before them);
    /// descriptor format needs 4. The additional length is trusted only as far as the bytes go.
    public init(decoding sense: [UInt8]) throws(SCSIDecodeError) {
        let r = ReplyReader(sense, page: "sense data")
        let code = try r.u8(0) & 0x7F
        filemark = false
        endOfMedium = false
        incorrectLength = false
        information = nil
        commandSpecific = nil
        senseKeySpecific = nil
        switch code {
        case 0x70, 0x71:
            format = .fixed
            deferred = code == 0x71
            let b2 = try r.u8(2)
            key = SenseKey(rawValue: b2 & 0x0F) ?? .noSense
            filemark = b2 & 0x80 != 0
            endOfMedium = b2 & 0x40 != 0
            incorrectLength = b2 & 0x20 != 0
            let end = sense.count > 7 ? min(sense.count, 8 + Int(sense[7])) : sense.count
            let body = ReplyReader(Array(sense[0..<end]), page: r.page)
            if sense[0] & 0x80 != 0, let info = try? body.unsigned(3, 4) {
                information = Int64(Int32(bitPattern: UInt32(info)))
            }
            if let cs = try? body.unsigned(8, 4), cs != 0 { commandSpecific = cs }
            additional = AdditionalSense(
                code: (try? body.u8(12)) ?? 0, qualifier: (try? body.u8(13)) ?? 0)
            if let sks = try? body.slice(15, 3), sks[sks.startIndex] & 0x80 != 0 { senseKeySpecific = Array(sks) }
        case 0x72, 0x73:
            format = .descriptor
            deferred = code == 0x73
            key = SenseKey(rawValue: try r.u8(1) & 0x0F) ?? .noSense
            additional = AdditionalSense(code: try r.u8(2), qualifier: try r.u8(3))
            let length = sense.count > 7 ? Int(sense[7]) : 0
            let body = ReplyReader(Array(r.available(8, upTo: length)), page: r.page)
            var offset = 0
            while offset + 2 <= body.count {
                let type = body.bytes[offset]
                let dlen = Int(body.bytes[offset + 1])
                guard let d = try? body.slice(offset + 2, dlen) else { break }
                let b = Array(d)
                switch type {
                case 0x00 where b.count >= 10 && b[0] & 0x80 != 0:
                    information = Int64(bitPattern: b[2..<10].reduce(0) { $0 << 8 | UInt64($1) })
                case 0x01 where b.count >= 10:
                    let v = b[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    if v != 0 { commandSpecific = v }
                case 0x02 where b.count >= 5 && b[2] & 0x80 != 0:
                    senseKeySpecific = Array(b[2..<5])
                case 0x04 where b.count >= 2:
                    filemark = b[1] & 0x80 != 0
                    endOfMedium = b[1] & 0x40 != 0
                    incorrectLength = b[1] & 0x20 != 0
                default: break
                }
                offset += 2 + dlen
            }
        default:
            throw r.fail(0, .invalidField(name: "response code", value: Int(code)))
        }
    }

    public var description: String {
        var s = "\(key) \(additional)"
        if filemark { s += " FILEMARK" }
        if endOfMedium { s += " EOM" }
        if incorrectLength { s += " ILI" }
        if let i = information { s += " INFORMATION=\(i)" }
        if deferred { s += " (deferred)" }
        return s
    }
}
