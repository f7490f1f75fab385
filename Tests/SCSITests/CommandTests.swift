import SCSI
import Testing

/// Each builder produces the bytes that were sent to tgt and accepted (captured replies), and its timeout class.
@Suite struct CommandTests {
    static let cases: [(String, CommandDescriptorBlock)] = [
        ("changer.inquiry", StandardInquiry.command()),
        ("changer.vpd80", UnitSerialNumber.command()),
        ("changer.vpd83", DeviceIdentification.command()),
        ("changer.modesense6.1d", ElementAddressAssignment.modeSense6()),
        ("changer.modesense10.1d", ElementAddressAssignment.modeSense10()),
        ("changer.res.transport", ElementStatus.command(type: .mediumTransport, start: 0, count: 255, deviceIdentifiers: true)),
        ("changer.res.slots", ElementStatus.command(type: .storage, start: 0, count: 255, deviceIdentifiers: true)),
        ("changer.res.drives.nodvcid", ElementStatus.command(type: .dataTransfer, start: 0, count: 255)),
        ("changer.res.slots.novoltag", ElementStatus.command(type: .storage, start: 0, count: 255, volumeTags: false)),
        ("changer.res.slots.alloc64",
            ElementStatus.command(type: .storage, start: 0, count: 255, deviceIdentifiers: true, allocationLength: 64)),
        ("changer.initialize", .initializeElementStatus()),
        ("changer.move.slot1000-drive500", .moveMedium(transport: 1, source: 1000, destination: 500)),
        ("changer.tur", .testUnitReady()),
        ("changer.prevent", .preventMediumRemoval(true)),
        ("changer.allow", .preventMediumRemoval(false)),
        ("drive.rewind", .rewind()),
        ("drive.readposition.short", ReadPosition.command(.short)),
        ("drive.readposition.long", ReadPosition.command(.long)),
        ("drive.logsense.2e", TapeAlert.command()),
        ("drive.readattribute", MediumAuxiliaryMemory.command()),
        ("drive.requestsense", SenseData.requestSense()),
    ]

    @Test(arguments: cases.map(\.0))
    func builderMatchesTheCapturedCDB(name: String) throws {
        let built = try #require(Self.cases.first { $0.0 == name }).1
        #expect(built.bytes == (try Captures.reply(name)).cdb)
    }

    @Test func readElementStatusAsksForAllocationLength0xFFFFByDefault() {
        let cdb = ElementStatus.command(type: .dataTransfer, start: 500, count: 2, deviceIdentifiers: true)
        #expect(Array(cdb.bytes[7...9]) == [0x00, 0xFF, 0xFF])
        #expect(cdb.bytes[1] == 0x14)
        #expect(cdb.bytes[6] == 0x01)
        #expect(cdb.transfer == .fromDevice(allocationLength: 0xFFFF))
    }

    @Test func movementTakesMinutesAndStatusTakesSeconds() {
        let slow: [CommandDescriptorBlock] = [
            .moveMedium(transport: 1, source: 1000, destination: 500), .loadUnload(load: true),
            .loadUnload(load: false), .locate(block: 12), .initializeElementStatus(),
        ]
        let fast: [CommandDescriptorBlock] = [
            .testUnitReady(), StandardInquiry.command(), SenseData.requestSense(), TapeAlert.command(),
            ReadPosition.command(), .preventMediumRemoval(false),
        ]
        for c in slow { #expect(c.timeoutMilliseconds >= 5 * 60_000, "\(c.name)") }
        for c in fast { #expect(c.timeoutMilliseconds <= 60_000, "\(c.name)") }
        #expect(slow.allSatisfy { $0.transfer == .none })
    }

    @Test func locateAndLoadEncodeTheirFields() {
        #expect(CommandDescriptorBlock.locate(block: 0x0102_0304).bytes == [0x2B, 0, 0, 1, 2, 3, 4, 0, 0, 0])
        #expect(CommandDescriptorBlock.loadUnload(load: true, immediate: true).bytes == [0x1B, 1, 0, 0, 1, 0])
        #expect(CommandDescriptorBlock.loadUnload(load: false).bytes == [0x1B, 0, 0, 0, 0, 0])
        #expect(CommandDescriptorBlock.inquiry(page: 0x80).bytes == [0x12, 1, 0x80, 0, 255, 0])
    }
}
