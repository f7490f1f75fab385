import SCSI
import Testing

/// Sense bytes from FINDINGS.md (tgt through libiscsi and SG_IO), and pages tgt cannot produce (TapeAlert, MAM,
/// a READ POSITION that knows where it is, descriptor-format sense), built by hand from the standards' layouts.
@Suite struct HandMadePageTests {
    @Test func filemarkSenseCarriesTheResidue() throws {
        let s = try SenseData(decoding: bytes("f0 00 80 00 01 00 00 0a 00 00 00 00 00 01"))
        #expect(s.key == .noSense)
        #expect(s.filemark && !s.endOfMedium && !s.incorrectLength)
        #expect(s.information == 65536)
        #expect(s.additional == .filemarkDetected)
    }

    @Test func shortRecordIsIncorrectLengthWithPositiveResidue() throws {
        let s = try SenseData(decoding: bytes("f0 00 20 00 00 fc 18 0a 00 00 00 00 00 00"))
        #expect(s.incorrectLength)
        #expect(s.information == 64536)
    }

    @Test func longRecordHasNegativeResidue() throws {
        let s = try SenseData(decoding: bytes("f0 00 20 ff ff fe 0c 0a 00 00 00 00 00 00"))
        #expect(s.incorrectLength)
        #expect(s.information == -500)
    }

    /// tgt: BLANK CHECK with EOM and 00/00, INFORMATION not valid; a real drive says 08/00/05.
    @Test func endOfDataFromTgtAndFromARealDrive() throws {
        let tgt = try SenseData(decoding: bytes("70 00 48 00 00 00 00 0a 00 00 00 00 00 00"))
        #expect(tgt.key == .blankCheck && tgt.endOfMedium && tgt.information == nil)
        let real = try SenseData(decoding: bytes("70 00 08 00 00 00 00 0a 00 00 00 00 00 05 00 00 00 00"))
        #expect(real.key == .blankCheck && !real.endOfMedium)
        #expect(real.additional == .endOfData)
        #expect(real.additional.text == "end-of-data detected")
    }

    @Test func descriptorFormatWithInformationAndStreamBits() throws {
        let s = try SenseData(
            decoding: [0x72, 0x00, 0x00, 0x01, 0, 0, 0, 24]
                + [0x00, 0x0A, 0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x0C]  // information = -500
                + [0x04, 0x02, 0x00, 0xA0]  // stream commands: FILEMARK, ILI
                + [0x02, 0x06, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x00])  // sense-key specific, SKSV
        #expect(s.format == .descriptor)
        #expect(s.key == .noSense)
        #expect(s.additional == .filemarkDetected)
        #expect(s.information == -500)
        #expect(s.filemark && s.incorrectLength && !s.endOfMedium)
        #expect(s.senseKeySpecific == [0xC0, 0x00, 0x02])
    }

    @Test func deferredAndUnitAttention() throws {
        let s = try SenseData(decoding: bytes("71 00 06 00 00 00 00 0a 00 00 00 00 29 00"))
        #expect(s.deferred && s.key == .unitAttention)
        #expect(s.description.contains("UNIT ATTENTION"))
        #expect(s.additional.text == "power on, reset, or bus device reset occurred")
    }

    @Test func unknownCodesStillHaveText() {
        #expect(AdditionalSense(code: 0x04, qualifier: 0x7E).text == "logical unit not ready")
        #expect(AdditionalSense(code: 0x77, qualifier: 0x01).text == "ASC 77h ASCQ 01h")
    }

    @Test func badSenseResponseCodeIsATypedError() {
        #expect(throws: SCSIDecodeError(page: "sense data", offset: 0, reason: .invalidField(name: "response code", value: 0x12))) {
            try SenseData(decoding: [0x12, 0, 0, 0])
        }
        #expect(throws: SCSIDecodeError(page: "sense data", offset: 2, reason: .truncated(needed: 1, available: 2))) {
            try SenseData(decoding: [0x70, 0])
        }
    }

    static func tapeAlertPage(set: [Int], count: Int = 64) -> [UInt8] {
        var params: [UInt8] = []
        for code in 1...count { params += be16(code) + [0x00, 0x01, set.contains(code) ? 0x01 : 0x00] }
        return [0x2E, 0x00] + be16(params.count) + params
    }

    @Test func tapeAlertFlagsWithNames() throws {
        let alert = try TapeAlert(decoding: Self.tapeAlertPage(set: [3, 20, 64]))
        #expect(alert.flags.map(\.code) == [3, 20, 64])
        #expect(alert.flags.map(\.name) == ["Hard error", "Clean now", "TapeAlert 64"])
        #expect(alert.flags[0].severity == .critical)
        #expect(alert.flags[1].severity == .warning)
    }

    @Test func tapeAlertStopsAtThePageLength() throws {
        var page = Self.tapeAlertPage(set: [1, 40])
        page[2] = 0
        page[3] = 20 * 5  // only parameters 1...20
        #expect(try TapeAlert(decoding: page).flags.map(\.code) == [1])
        #expect(throws: SCSIDecodeError(page: "log page 2Eh (TapeAlert)", offset: 0, reason: .unexpectedPage(expected: 0x2E, found: 0x12))) {
            try TapeAlert(decoding: [0x12, 0, 0, 0])
        }
    }

    static func attribute(_ id: Int, format: UInt8, _ value: [UInt8]) -> [UInt8] {
        be16(id) + [format] + be16(value.count) + value
    }

    static let mam: [UInt8] = {
        let body =
            attribute(0x0003, format: 0x80, [0, 0, 0, 0, 0, 0, 0, 42])
            + attribute(0x0400, format: 0x81, ascii("SONY", width: 8))
            + attribute(0x0401, format: 0x81, ascii("1234567890", width: 32))
            + attribute(0x0806, format: 0x01, ascii("E00001L6", width: 32))
        return be32(body.count) + body
    }()

    @Test func cartridgeMemoryAttributes() throws {
        let mam = try MediumAuxiliaryMemory(decoding: Self.mam)
        #expect(mam.attributes.count == 4)
        #expect(mam.loadCount == 42)
        #expect(mam.manufacturer == "SONY")
        #expect(mam.mediumSerial == "1234567890")
        #expect(mam.barcode == "E00001L6")
        #expect(mam.attribute(0x0003)?.readOnly == true)
        #expect(mam.attribute(0x0806)?.readOnly == false)
    }

    /// Some drives advertise the allocation length instead of the data length: decode what is there.
    @Test func cartridgeMemoryLongerAdvertisedThanSent() throws {
        var page = Self.mam
        page.replaceSubrange(0..<4, with: be32(4096))
        let mam = try MediumAuxiliaryMemory(decoding: page + [0, 0])
        #expect(mam.barcode == "E00001L6")
        #expect(mam.attributes.count == 4)
    }

    @Test func readPositionLongForm() throws {
        let reply: [UInt8] = [0x80, 0, 0, 0] + be32(0) + [0, 0, 0, 0] + be32(1234) + [0, 0, 0, 0] + be32(3)
            + [UInt8](repeating: 0, count: 8)
        let p = try ReadPosition(decoding: reply, form: .long)
        #expect(p.beginningOfPartition && !p.positionUnknown)
        #expect(p.block == 1234 && p.file == 3)
        #expect(throws: SCSIDecodeError(page: "READ POSITION long form", offset: 0, reason: .truncated(needed: 32, available: 20))) {
            try ReadPosition(decoding: Array(reply.prefix(20)), form: .long)
        }
    }

    @Test func readPositionShortForm() throws {
        let reply: [UInt8] = [0x00, 0, 0, 0] + be32(77) + be32(77) + [0, 0, 0, 2] + be32(65536)
        let p = try ReadPosition(decoding: reply, form: .short)
        #expect(p.block == 77 && p.blocksInBuffer == 2 && p.bytesInBuffer == 65536)
    }

    @Test func wrongPagesAreTypedErrorsWithOffsets() throws {
        let modePage = try Captures.reply("changer.modesense6.1d").data
        var wrong = modePage
        wrong[4] = 0x1F
        #expect(
            throws: SCSIDecodeError(
                page: "mode page 1Dh (element address assignment)", offset: 4,
                reason: .unexpectedPage(expected: 0x1D, found: 0x1F))
        ) { try ElementAddressAssignment(decodingModeSense: wrong, tenByteHeader: false) }
        #expect(throws: SCSIDecodeError.self) { try UnitSerialNumber(decoding: try Captures.reply("changer.vpd83").data) }
        var page = try Captures.reply("changer.res.slots").data
        page[8] = 0x07
        #expect(
            throws: SCSIDecodeError(
                page: "READ ELEMENT STATUS", offset: 8, reason: .invalidField(name: "element type code", value: 7))
        ) { try ElementStatus(decoding: page) }
    }
}
