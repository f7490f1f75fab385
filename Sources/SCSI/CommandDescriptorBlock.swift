/// A SCSI command descriptor block: the bytes sent to a device, and how long the command may take.
public struct CommandDescriptorBlock: Equatable, Sendable {
    public var bytes: [UInt8]
    /// Milliseconds the transport waits before it aborts the command.
    public var timeoutMilliseconds: UInt32

    public init(bytes: [UInt8], timeoutMilliseconds: UInt32) {
        self.bytes = bytes
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// TEST UNIT READY (00h): asks whether the device can accept medium-access commands. 6 bytes, 10 s.
    public static func testUnitReady() -> CommandDescriptorBlock {
        CommandDescriptorBlock(bytes: [0x00, 0, 0, 0, 0, 0], timeoutMilliseconds: 10_000)
    }

    /// INQUIRY (12h) for the standard data (`page == nil`) or a vital product data page (EVPD set). 6 bytes, 10 s.
    public static func inquiry(page: UInt8? = nil, allocationLength: UInt16 = 255) -> CommandDescriptorBlock {
        let evpd: UInt8 = page == nil ? 0 : 1
        return CommandDescriptorBlock(
            bytes: [0x12, evpd, page ?? 0, UInt8(allocationLength >> 8), UInt8(allocationLength & 0xFF), 0],
            timeoutMilliseconds: 10_000)
    }
}
