/// A bsock signal: a packet whose 4-byte header is negative and which carries no payload (spec §1.2).
///
/// Any negative header is a signal; values Bacula 9.6 does not define are kept as they are (`name` is then nil),
/// so a receiver can skip or reject them without losing the value.
public struct Signal: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The header value, always negative.
    public let rawValue: Int32

    /// Wraps a header value; returns nil for zero or positive values, which are payload lengths, not signals.
    public init?(rawValue: Int32) {
        guard rawValue < 0 else { return nil }
        self.rawValue = rawValue
    }

    private init(_ value: Int32) { self.rawValue = value }

    public static let endOfData = Signal(-1)
    public static let endOfDataPoll = Signal(-2)
    public static let status = Signal(-3)
    public static let terminate = Signal(-4)
    public static let poll = Signal(-5)
    public static let heartbeat = Signal(-6)
    public static let heartbeatResponse = Signal(-7)
    public static let obsoletePrompt = Signal(-8)
    public static let btime = Signal(-9)
    public static let `break` = Signal(-10)
    public static let startSelect = Signal(-11)
    public static let endSelect = Signal(-12)
    public static let invalidCommand = Signal(-13)
    public static let commandFailed = Signal(-14)
    public static let commandOK = Signal(-15)
    public static let commandBegin = Signal(-16)
    public static let messagesPending = Signal(-17)
    public static let mainPrompt = Signal(-18)
    public static let selectInput = Signal(-19)
    public static let warningMessage = Signal(-20)
    public static let errorMessage = Signal(-21)
    public static let infoMessage = Signal(-22)
    public static let runCommand = Signal(-23)
    public static let yesNo = Signal(-24)
    public static let startRestoreTree = Signal(-25)
    public static let endRestoreTree = Signal(-26)
    public static let subPrompt = Signal(-27)
    public static let textInput = Signal(-28)
    public static let externalTerminate = Signal(-29)
    public static let fileDaemonCalled = Signal(-30)

    /// Bacula's name for the signals 9.6 defines (`BNET_EOD` ...), nil for any other negative value.
    public var name: String? {
        let index = Int(-rawValue) - 1
        return index >= 0 && index < Signal.names.count ? Signal.names[index] : nil
    }

    /// True for the keep-alive signals every reader skips wherever it reads (spec §4.1).
    public var isHeartbeat: Bool { self == .heartbeat || self == .heartbeatResponse }

    public var description: String { "SIGNAL \(rawValue) \(name ?? "?")" }

    private static let names = [
        "BNET_EOD", "BNET_EOD_POLL", "BNET_STATUS", "BNET_TERMINATE", "BNET_POLL", "BNET_HEARTBEAT",
        "BNET_HB_RESPONSE", "BNET_xxxxxxPROMPT", "BNET_BTIME", "BNET_BREAK", "BNET_START_SELECT", "BNET_END_SELECT",
        "BNET_INVALID_CMD", "BNET_CMD_FAILED", "BNET_CMD_OK", "BNET_CMD_BEGIN", "BNET_MSGS_PENDING",
        "BNET_MAIN_PROMPT", "BNET_SELECT_INPUT", "BNET_WARNING_MSG", "BNET_ERROR_MSG", "BNET_INFO_MSG",
        "BNET_RUN_CMD", "BNET_YESNO", "BNET_START_RTREE", "BNET_END_RTREE", "BNET_SUB_PROMPT", "BNET_TEXT_INPUT",
        "BNET_EXT_TERMINATE", "BNET_FDCALLED",
    ]
}
