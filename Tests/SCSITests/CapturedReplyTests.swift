import SCSI
import Testing

/// Decoders on replies captured from tgt 1.0.85 (the harness library).
@Suite struct CapturedReplyTests {
    @Test func standardInquiryOfTheChangerAndTheDrive() throws {
        let changer = try StandardInquiry(decoding: try Captures.reply("changer.inquiry").data)
        #expect(changer.deviceType == .mediumChanger)
        #expect(changer.vendor == "IBM")
        #expect(changer.product == "3573-TL")
        #expect(changer.revision == "F.11")
        let drive = try StandardInquiry(decoding: try Captures.reply("drive.inquiry").data)
        #expect(drive.deviceType == .tape)
        #expect(drive.removable)
        #expect(drive.product == "ULT3580-TD6")
        #expect(drive.revision == "G350")
    }

    @Test func unitSerialNumbersAreTheConfiguredOnes() throws {
        #expect(try UnitSerialNumber(decoding: try Captures.reply("changer.vpd80").data).serial == "LIB00001")
        let drive = try UnitSerialNumber(decoding: try Captures.reply("drive.vpd80").data)
        #expect(drive.serial == "DRV00001")
        #expect(drive.deviceType == .tape)
    }

    /// udev's ID_SERIAL for LUN 1 was 360000000000000000e00000000010001: "3" (NAA) + the 16-byte designator.
    @Test func deviceIdentificationCarriesTheNAAUdevUses() throws {
        let drive = try DeviceIdentification(decoding: try Captures.reply("drive.vpd83").data)
        #expect(drive.designators.count == 3)
        #expect(drive.designators.first?.kind == .t10VendorID)
        #expect(drive.designators.first?.text.hasPrefix("IET") == true)
        #expect(drive.designators.last?.text == "60000000000000000e00000000010001")
        #expect("3" + (drive.naa ?? "") != "3")
        let changer = try DeviceIdentification(decoding: try Captures.reply("changer.vpd83").data)
        #expect(changer.designators.last?.text == "60000000000000000e00000000010003")
    }

    @Test(arguments: [("changer.modesense6.1d", false), ("changer.modesense10.1d", true)])
    func elementAddressAssignment(name: String, tenByte: Bool) throws {
        let page = try ElementAddressAssignment(decodingModeSense: try Captures.reply(name).data, tenByteHeader: tenByte)
        #expect(page.transports == ElementRange(first: 1, count: 1))
        #expect(page.storage == ElementRange(first: 1000, count: 8))
        #expect(page.importExport == ElementRange(first: 10, count: 2))
        #expect(page.dataTransfer == ElementRange(first: 500, count: 2))
        #expect(page.range(of: .storage).addresses == Array(1000...1007))
    }

    /// tgt's replies are always 8 bytes shorter than the header's byte count: the decoder says so and keeps the
    /// last element, whose 52-byte volume tag part is complete.
    @Test func slotsWithVolumeTags() throws {
        let reply = try Captures.reply("changer.res.slots").data
        let status = try ElementStatus(decoding: reply)
        #expect(reply.count == 8 + (Int(reply[6]) << 8 | Int(reply[7])) - 8)
        #expect(status.truncated)
        #expect(status.elements.map(\.address) == Array(1000...1007))
        #expect(status.elements.allSatisfy { $0.type == .storage })
        #expect(status.elements.map(\.full) == [true, true, true, true, true, true, false, false])
        #expect(status.elements.compactMap(\.barcode) == (1...6).map { "E0000\($0)L6" })
        #expect(status.elements.allSatisfy { !$0.accessible })  // tgt never sets ACCESS
    }

    /// Without volume tags a descriptor is 16 bytes, so tgt's missing 8 bytes lose the last slot altogether.
    @Test func slotsWithoutVolumeTagsLoseTheLastSlotToTgt() throws {
        let status = try ElementStatus(decoding: try Captures.reply("changer.res.slots.novoltag").data)
        #expect(status.truncated)
        #expect(status.elements.map(\.address) == Array(1000...1006))
        #expect(status.elements.allSatisfy { $0.barcode == nil })
        #expect(status.elements.filter(\.full).count == 6)
    }

    @Test func importExportAndTransport() throws {
        let ie = try ElementStatus(decoding: try Captures.reply("changer.res.ie").data)
        #expect(ie.elements.map(\.address) == [10, 11])
        #expect(ie.elements.allSatisfy { $0.type == .importExport && !$0.full })
        let picker = try ElementStatus(decoding: try Captures.reply("changer.res.transport").data)
        #expect(picker.elements.map(\.address) == [1])
    }

    /// tgt advertises 188 bytes for two 86-byte DVCID descriptors but sends 180: the second drive's serial is cut.
    @Test func driveSerialsByDVCIDAndTgtsShortReply() throws {
        let reply = try Captures.reply("changer.res.drives").data
        let status = try ElementStatus(decoding: reply)
        #expect(reply.count == 180)
        #expect(status.truncated)
        #expect(status.elements.map(\.address) == [500, 501])
        #expect(status.elements[0].device?.serial == "DRV00001")
        #expect(status.elements[0].device?.type == 1)
        #expect(status.elements[0].device?.complete == true)
        #expect(status.elements[1].device?.complete == false)
        #expect(status.elements[1].device?.serial == nil)
        #expect(status.elements[1].device?.partialSerial == "DR")
    }

    @Test func loadedDriveShowsBarcodeAndSource() throws {
        let status = try ElementStatus(decoding: try Captures.reply("changer.res.drives.loaded").data)
        let drive = try #require(status.elements.first)
        #expect(drive.full)
        #expect(drive.barcode == "E00001L6")
        #expect(drive.sourceAddress == 1000)
        let slots = try ElementStatus(decoding: try Captures.reply("changer.res.slots.after-load").data)
        #expect(slots.elements.first?.full == false)
        #expect(slots.elements.first?.barcode == nil)
    }

    @Test func drivesWithoutDVCID() throws {
        let status = try ElementStatus(decoding: try Captures.reply("changer.res.drives.nodvcid").data)
        #expect(status.elements.count == 2)
        #expect(status.elements.allSatisfy { $0.device == nil })
    }

    @Test func smallAllocationLengthGivesATruncatedFirstElement() throws {
        let status = try ElementStatus(decoding: try Captures.reply("changer.res.slots.alloc64").data)
        #expect(status.truncated)
        #expect(status.elements.map(\.address) == [1000])
        #expect(status.elements.first?.barcode == "E00001L6")
    }

    @Test(arguments: [
        ("changer.move.empty-source", SenseKey.illegalRequest, AdditionalSense.sourceElementEmpty),
        ("changer.move.full-destination", .illegalRequest, .destinationElementFull),
        ("changer.move.drive500-slot1007.prevented", .illegalRequest, .mediumRemovalPrevented),
        ("changer.logsense.2e", .illegalRequest, .invalidCommandOperationCode),
        ("drive.readattribute", .illegalRequest, .invalidCommandOperationCode),
        ("drive.tur.empty", .notReady, .mediumNotPresent),
        ("drive.read.no-medium", .notReady, .mediumNotPresent),
    ])
    func capturedSense(name: String, key: SenseKey, asc: AdditionalSense) throws {
        let reply = try Captures.reply(name)
        #expect(reply.status == 0x02)
        let sense = try SenseData(decoding: reply.sense)
        #expect(sense.format == .fixed)
        #expect(sense.key == key)
        #expect(sense.additional == asc)
        #expect(!sense.additional.text.hasPrefix("ASC "))
    }

    @Test func requestSenseWithNothingToReport() throws {
        let sense = try SenseData(decoding: try Captures.reply("drive.requestsense").data)
        #expect(sense.key == .noSense)
        #expect(sense.additional == .none)
        #expect(sense.information == nil)
    }

    /// tgt's READ POSITION is a stub: the short form says "block position unknown".
    @Test func tgtReadPositionStub() throws {
        let short = try ReadPosition(decoding: try Captures.reply("drive.readposition.short").data, form: .short)
        #expect(short.positionUnknown)
        #expect(short.block == nil)
        #expect(!short.beginningOfPartition)
    }
}
