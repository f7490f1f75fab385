/// Commands without data that move or lock media, with their timeouts.
extension CommandDescriptorBlock {
    /// TEST UNIT READY (00h): asks whether the device can accept medium-access commands. 6 bytes, seconds.
    public static func testUnitReady() -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x00, 0, 0, 0, 0, 0], timeoutMilliseconds: CommandTimeout.status, name: "TEST UNIT READY")
    }

    /// INQUIRY (12h) for the standard data (`page == nil`) or a vital product data page (EVPD set).
    public static func inquiry(page: UInt8? = nil, allocationLength: UInt16 = 255) -> CommandDescriptorBlock {
        let evpd: UInt8 = page == nil ? 0 : 1
        return CommandDescriptorBlock(
            bytes: [0x12, evpd, page ?? 0] + allocationLength.bigEndianBytes + [0],
            timeoutMilliseconds: CommandTimeout.status, transfer: .fromDevice(allocationLength: Int(allocationLength)),
            name: page.map { "INQUIRY VPD \(hex($0))" } ?? "INQUIRY")
    }

    /// MOVE MEDIUM (A5h): the robot `transport` carries the cartridge at `source` to `destination`. Minutes.
    public static func moveMedium(transport: UInt16, source: UInt16, destination: UInt16, invert: Bool = false)
        -> CommandDescriptorBlock
    {
        CommandDescriptorBlock(
            bytes: [0xA5, 0] + transport.bigEndianBytes + source.bigEndianBytes + destination.bigEndianBytes
                + [0, 0, invert ? 1 : 0, 0],
            timeoutMilliseconds: CommandTimeout.moveMedium, name: "MOVE MEDIUM")
    }

    /// INITIALIZE ELEMENT STATUS (07h): the library rescans every element (and its barcodes). Up to an hour.
    public static func initializeElementStatus() -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x07, 0, 0, 0, 0, 0], timeoutMilliseconds: CommandTimeout.initializeElementStatus,
            name: "INITIALIZE ELEMENT STATUS")
    }

    /// PREVENT ALLOW MEDIUM REMOVAL (1Eh).
    public static func preventMediumRemoval(_ prevent: Bool) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x1E, 0, 0, 0, prevent ? 1 : 0, 0], timeoutMilliseconds: CommandTimeout.status,
            name: prevent ? "PREVENT MEDIUM REMOVAL" : "ALLOW MEDIUM REMOVAL")
    }

    /// LOAD UNLOAD (1Bh) on a tape drive: thread (`load`) or unthread and eject. Minutes.
    public static func loadUnload(load: Bool, immediate: Bool = false) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x1B, immediate ? 1 : 0, 0, 0, load ? 1 : 0, 0], timeoutMilliseconds: CommandTimeout.loadUnload,
            name: load ? "LOAD" : "UNLOAD")
    }

    /// REWIND (01h). Minutes.
    public static func rewind(immediate: Bool = false) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x01, immediate ? 1 : 0, 0, 0, 0, 0], timeoutMilliseconds: CommandTimeout.rewind, name: "REWIND")
    }

    /// LOCATE(10) (2Bh) to a logical block address in the current partition. Minutes.
    public static func locate(block: UInt32) -> CommandDescriptorBlock {
        CommandDescriptorBlock(
            bytes: [0x2B, 0, 0] + block.bigEndianBytes + [0, 0, 0], timeoutMilliseconds: CommandTimeout.locate,
            name: "LOCATE(10)")
    }
}
