import SCSI

/// What came back from one command: SCSI status, the data the device sent, sense bytes, transport statuses.
public struct SCSIResponse: Equatable, Sendable {
    public var status: UInt8
    /// Data-in, cut to what the device actually sent (allocation length minus residual).
    public var data: [UInt8]
    public var sense: [UInt8]
    public var hostStatus: UInt16
    public var driverStatus: UInt16

    public init(status: UInt8, data: [UInt8] = [], sense: [UInt8] = [], hostStatus: UInt16 = 0, driverStatus: UInt16 = 0) {
        self.status = status
        self.data = data
        self.sense = sense
        self.hostStatus = hostStatus
        self.driverStatus = driverStatus
    }

    public static let good: UInt8 = 0x00
    public static let checkCondition: UInt8 = 0x02
    public static let busy: UInt8 = 0x08
    public static let reservationConflict: UInt8 = 0x18
    public static let taskSetFull: UInt8 = 0x28
}

/// Sends one CDB and returns what came back, without interpreting it. Blocking; one command at a time.
/// `SCSIGenericDevice` does it with SG_IO; tests use fakes.
public protocol SCSITransport: Sendable {
    /// The device node, for errors.
    var device: String { get }
    func execute(_ command: CommandDescriptorBlock) throws(SCSICommandError) -> SCSIResponse
}
