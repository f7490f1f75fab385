/// Which way data moves for one command, and how much.
public enum DataTransfer: Equatable, Sendable {
    /// No data phase (TEST UNIT READY, MOVE MEDIUM).
    case none
    /// The device sends at most `allocationLength` bytes (INQUIRY, READ ELEMENT STATUS).
    case fromDevice(allocationLength: Int)
    /// The host sends these bytes.
    case toDevice([UInt8])
}

/// A SCSI command descriptor block: the bytes sent to a device, what data it moves, and how long it may take.
public struct CommandDescriptorBlock: Equatable, Sendable {
    public var bytes: [UInt8]
    /// Milliseconds the transport waits before it aborts the command.
    public var timeoutMilliseconds: UInt32
    public var transfer: DataTransfer
    /// The command's name as the SCSI standards spell it, for errors and logs ("MOVE MEDIUM").
    public var name: String

    public init(
        bytes: [UInt8], timeoutMilliseconds: UInt32, transfer: DataTransfer = .none, name: String = "command"
    ) {
        self.bytes = bytes
        self.timeoutMilliseconds = timeoutMilliseconds
        self.transfer = transfer
        self.name = name
    }

    /// The operation code (byte 0); 0 for an empty block.
    public var operationCode: UInt8 { bytes.first ?? 0 }
}

/// How long each kind of command may take. Status commands answer in seconds; medium movement, load, unload and
/// locate take minutes on real libraries and drives (a full robot pass, a tape threading, a locate across the tape).
public enum CommandTimeout {
    public static let status: UInt32 = 30_000
    public static let modeSense: UInt32 = 60_000
    /// READ ELEMENT STATUS can trigger a barcode scan on some libraries.
    public static let elementStatus: UInt32 = 5 * 60_000
    public static let moveMedium: UInt32 = 15 * 60_000
    /// INITIALIZE ELEMENT STATUS rescans the whole library.
    public static let initializeElementStatus: UInt32 = 60 * 60_000
    public static let loadUnload: UInt32 = 15 * 60_000
    public static let locate: UInt32 = 60 * 60_000
    public static let rewind: UInt32 = 15 * 60_000
}

extension UInt16 {
    @inline(__always) var bigEndianBytes: [UInt8] { [UInt8(self >> 8), UInt8(self & 0xFF)] }
}

extension UInt32 {
    @inline(__always) var bigEndianBytes: [UInt8] {
        [UInt8(self >> 24), UInt8((self >> 16) & 0xFF), UInt8((self >> 8) & 0xFF), UInt8(self & 0xFF)]
    }
}
