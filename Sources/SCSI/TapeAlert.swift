/// One TapeAlert flag (LOG SENSE page 2Eh parameter 0001h–0040h).
public struct TapeAlertFlag: Hashable, Sendable, CustomStringConvertible {
    /// The standard's three classes; the raw value is the class's name in lower case.
    public enum Severity: String, Sendable { case information, warning, critical }

    /// The parameter code, 1...64.
    public var code: UInt16

    public init(code: UInt16) { self.code = code }

    public var name: String {
        let i = Int(code) - 1
        return i >= 0 && i < Self.names.count && !Self.names[i].isEmpty ? Self.names[i] : "TapeAlert \(code)"
    }

    /// Critical flags need action before the next job (failed media, hardware, cleaning cartridge problems).
    public var severity: Severity {
        if Self.critical.contains(code) { return .critical }
        if Self.warning.contains(code) { return .warning }
        return .information
    }

    public var description: String { "\(code) \(name)" }

    private static let critical: Set<UInt16> = [3, 4, 5, 6, 9, 14, 16, 22, 23, 30, 31, 33, 38, 41, 45, 52, 53, 54, 55, 56, 57]
    private static let warning: Set<UInt16> = [1, 2, 7, 8, 10, 11, 12, 13, 15, 17, 18, 19, 20, 21, 24, 25, 26, 27, 34, 35, 36]

    private static let names: [String] = [
        "Read warning", "Write warning", "Hard error", "Media", "Read failure", "Write failure", "Media life",
        "Not data grade", "Write protect", "No removal", "Cleaning media", "Unsupported format",
        "Recoverable mechanical cartridge failure", "Unrecoverable snapped tape", "Memory chip in cartridge failure",
        "Forced eject", "Read only format", "Tape directory corrupted on load", "Nearing media life", "Clean now",
        "Clean periodic", "Expired cleaning media", "Invalid cleaning tape", "Retension requested",
        "Dual-port interface error", "Cooling fan failure", "Power supply failure", "Power consumption",
        "Drive maintenance", "Hardware A", "Hardware B", "Interface", "Eject media", "Microcode update fail",
        "Drive humidity", "Drive temperature", "Drive voltage", "Predictive failure", "Diagnostics required",
        "", "", "", "", "", "", "", "", "", "Lost statistics", "Tape directory invalid at unload",
        "Tape system area write failure", "Tape system area read failure", "No start of data", "Loading failure",
        "Unrecoverable unload failure", "Automation interface failure", "Microcode failure", "WORM medium integrity",
        "WORM medium overwrite attempted", "", "", "", "",
    ]
}

/// LOG SENSE page 2Eh: the TapeAlert flags that are set. Reading the page clears them on most drives.
public struct TapeAlert: Equatable, Sendable {
    public var flags: [TapeAlertFlag]

    /// LOG SENSE (4Dh), cumulative values (PC 01b), page 2Eh.
    public static func command(allocationLength: UInt16 = 1024) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x4D, 0, 0x40 | 0x2E, 0, 0, 0, 0] + allocationLength.bigEndianBytes + [0],
            timeoutMilliseconds: CommandTimeout.status, transfer: .fromDevice(allocationLength: Int(allocationLength)),
            name: "LOG SENSE page 2Eh")
    }

    /// Decodes the parameters that fit in both the page length and the reply. A flag is set when bit 0 of its value
    /// is; parameter codes outside 1...64 are skipped.
    public init(decoding reply: [UInt8]) throws(SCSIDecodeError) {
        let r = ReplyReader(reply, page: "log page 2Eh (TapeAlert)")
        let code = try r.u8(0) & 0x3F
        guard code == 0x2E else { throw r.fail(0, .unexpectedPage(expected: 0x2E, found: code)) }
        let end = min(reply.count, 4 + Int(try r.u16(2)))
        var flags: [TapeAlertFlag] = []
        var offset = 4
        while offset + 4 <= end {
            let parameter = UInt16(reply[offset]) << 8 | UInt16(reply[offset + 1])
            let length = Int(reply[offset + 3])
            if length > 0, offset + 4 < end, (1...64).contains(parameter), reply[offset + 4] & 0x01 != 0 {
                flags.append(TapeAlertFlag(code: parameter))
            }
            offset += 4 + length
        }
        self.flags = flags
    }
}
