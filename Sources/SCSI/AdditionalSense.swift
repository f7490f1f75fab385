/// The additional sense code and qualifier (ASC/ASCQ) with its standard meaning, for the codes tape drives and
/// changers return.
public struct AdditionalSense: Hashable, Sendable, CustomStringConvertible {
    public var code: UInt8
    public var qualifier: UInt8

    public init(code: UInt8, qualifier: UInt8) {
        self.code = code
        self.qualifier = qualifier
    }

    public static let none = AdditionalSense(code: 0x00, qualifier: 0x00)
    public static let filemarkDetected = AdditionalSense(code: 0x00, qualifier: 0x01)
    public static let endOfPartitionOrMedium = AdditionalSense(code: 0x00, qualifier: 0x02)
    public static let beginningOfPartitionOrMedium = AdditionalSense(code: 0x00, qualifier: 0x04)
    public static let endOfData = AdditionalSense(code: 0x00, qualifier: 0x05)
    public static let becomingReady = AdditionalSense(code: 0x04, qualifier: 0x01)
    public static let mediumNotPresent = AdditionalSense(code: 0x3A, qualifier: 0x00)
    public static let sourceElementEmpty = AdditionalSense(code: 0x3B, qualifier: 0x0E)
    public static let destinationElementFull = AdditionalSense(code: 0x3B, qualifier: 0x0D)
    public static let mediumRemovalPrevented = AdditionalSense(code: 0x53, qualifier: 0x02)
    public static let invalidCommandOperationCode = AdditionalSense(code: 0x20, qualifier: 0x00)
    public static let invalidFieldInCDB = AdditionalSense(code: 0x24, qualifier: 0x00)

    /// The standard text of this code, or a generic "ASC xxh ASCQ yyh" for codes outside the table.
    public var text: String {
        if let t = Self.table[UInt16(code) << 8 | UInt16(qualifier)] { return t }
        if code == 0x40, qualifier >= 0x80 { return "diagnostic failure on component \(hex(qualifier))" }
        if code == 0x04 { return "logical unit not ready" }
        return "ASC \(hex(code)) ASCQ \(hex(qualifier))"
    }

    public var description: String { "\(hex(code))/\(hex(qualifier)) (\(text))" }

    private static let table: [UInt16: String] = [
        0x0000: "no additional sense information",
        0x0001: "filemark detected",
        0x0002: "end-of-partition/medium detected",
        0x0003: "setmark detected",
        0x0004: "beginning-of-partition/medium detected",
        0x0005: "end-of-data detected",
        0x0016: "operation in progress",
        0x0017: "cleaning requested",
        0x0018: "erase operation in progress",
        0x0019: "locate operation in progress",
        0x001A: "rewind operation in progress",
        0x0300: "peripheral device write fault",
        0x0302: "excessive write errors",
        0x0400: "logical unit not ready, cause not reportable",
        0x0401: "logical unit is in process of becoming ready",
        0x0402: "logical unit not ready, initializing command required",
        0x0403: "logical unit not ready, manual intervention required",
        0x0404: "logical unit not ready, format in progress",
        0x0407: "logical unit not ready, operation in progress",
        0x0412: "logical unit not ready, offline",
        0x0500: "logical unit does not respond to selection",
        0x0800: "logical unit communication failure",
        0x0801: "logical unit communication time-out",
        0x0C00: "write error",
        0x1100: "unrecovered read error",
        0x1101: "read retries exhausted",
        0x1400: "recorded entity not found",
        0x1403: "end-of-data not found",
        0x1500: "random positioning error",
        0x1501: "mechanical positioning error",
        0x1A00: "parameter list length error",
        0x2000: "invalid command operation code",
        0x2101: "invalid element address",
        0x2400: "invalid field in CDB",
        0x2500: "logical unit not supported",
        0x2600: "invalid field in parameter list",
        0x2700: "write protected",
        0x2800: "not ready to ready change, medium may have changed",
        0x2801: "import or export element accessed",
        0x2900: "power on, reset, or bus device reset occurred",
        0x2901: "power on occurred",
        0x2902: "SCSI bus reset occurred",
        0x2903: "bus device reset function occurred",
        0x2904: "device internal reset",
        0x2A01: "mode parameters changed",
        0x2A02: "log parameters changed",
        0x2C00: "command sequence error",
        0x3000: "incompatible medium installed",
        0x3001: "cannot read medium, unknown format",
        0x3002: "cannot read medium, incompatible format",
        0x3003: "cleaning cartridge installed",
        0x3005: "cannot write medium, incompatible format",
        0x3007: "cleaning failure",
        0x3100: "medium format corrupted",
        0x3300: "tape length error",
        0x3A00: "medium not present",
        0x3A01: "medium not present, tray closed",
        0x3A02: "medium not present, tray open",
        0x3A04: "medium not present, medium auxiliary memory accessible",
        0x3B00: "sequential positioning error",
        0x3B01: "tape position error at beginning-of-medium",
        0x3B02: "tape position error at end-of-medium",
        0x3B08: "reposition error",
        0x3B0D: "medium destination element full",
        0x3B0E: "medium source element empty",
        0x3B11: "medium magazine not accessible",
        0x3B12: "medium magazine removed",
        0x3B13: "medium magazine inserted",
        0x3B14: "medium magazine locked",
        0x3B15: "medium magazine unlocked",
        0x3B1A: "data transfer device removed",
        0x3B1B: "data transfer device inserted",
        0x3F00: "target operating conditions have changed",
        0x3F01: "microcode has been changed",
        0x3F0E: "reported LUNs data has changed",
        0x4000: "RAM failure",
        0x4400: "internal target failure",
        0x4700: "SCSI parity error",
        0x4800: "initiator detected error message received",
        0x4900: "invalid message error",
        0x4A00: "command phase error",
        0x4B00: "data phase error",
        0x5000: "write append error",
        0x5001: "write append position error",
        0x5100: "erase failure",
        0x5200: "cartridge fault",
        0x5300: "media load or eject failed",
        0x5301: "unload tape failure",
        0x5302: "medium removal prevented",
        0x5304: "medium thread or unthread failure",
        0x5500: "system resource failure",
        0x5506: "auxiliary memory out of space",
        0x5A01: "operator medium removal request",
        0x5B01: "threshold condition met",
        0x5D00: "failure prediction threshold exceeded",
        0x8000: "vendor specific",
        0x8300: "label too long or invalid (vendor)",
    ]
}
