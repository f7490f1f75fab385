import Changers
import SCSI
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `TapeAlertReader` over a fake transport (no drive): pages made by hand, tgt's refusal, transport failures.
@Suite struct TapeAlertReaderFakeTransportTests {
    /// LOG SENSE 2Eh with parameters 0001h–0004h, 0014h and 0015h (5 bytes each: code, control, length 1, value);
    /// 3, 4 and 20 have bit 0 of their value set, 1 has only another bit set.
    static let page3_4_20: [UInt8] = [
        0x2E, 0x00, 0x00, 0x1E,
        0x00, 0x01, 0x00, 0x01, 0x02,
        0x00, 0x02, 0x00, 0x01, 0x00,
        0x00, 0x03, 0x00, 0x01, 0x01,
        0x00, 0x04, 0x00, 0x01, 0x01,
        0x00, 0x14, 0x00, 0x01, 0x01,
        0x00, 0x15, 0x00, 0x01, 0x00,
    ]

    @Test func fakeTransportPageWithFlags3_4_20GivesThoseFlags() throws {
        let transport = ScriptedTransport { _, _ in SCSIResponse(status: SCSIResponse.good, data: Self.page3_4_20) }
        let outcome = try TapeAlertReader(transport: transport).read()
        #expect(outcome == .flags([TapeAlertFlag(code: 3), TapeAlertFlag(code: 4), TapeAlertFlag(code: 20)]))
        guard case .flags(let flags) = outcome else { return }
        #expect(flags.map(\.name) == ["Hard error", "Media", "Clean now"])
        #expect(flags.map(\.severity) == [.critical, .critical, .warning])
    }

    @Test func fakeTransportSeesOneShortLogSense2Eh() throws {
        let transport = ScriptedTransport { _, _ in SCSIResponse(status: SCSIResponse.good, data: Self.page3_4_20) }
        _ = try TapeAlertReader(transport: transport, timeoutMilliseconds: 5_000).read()
        let sent = transport.commands
        #expect(sent.count == 1)
        #expect(sent.first?.bytes.prefix(3) == [0x4D, 0x00, 0x6E])
        #expect(sent.first?.timeoutMilliseconds == 5_000)
        #expect(TapeAlertReader.defaultTimeoutMilliseconds <= 30_000)
    }

    @Test(arguments: [0, 64])
    func fakeTransportPageWithNoFlagSetIsEmpty(parameters: Int) throws {
        var page: [UInt8] = [0x2E, 0x00, UInt8(parameters * 5 >> 8), UInt8(parameters * 5 & 0xFF)]
        for code in 0..<parameters { page += [0x00, UInt8(code + 1), 0x00, 0x01, 0x00] }
        let reply = page
        let transport = ScriptedTransport { _, _ in SCSIResponse(status: SCSIResponse.good, data: reply) }
        #expect(try TapeAlertReader(transport: transport).read() == .flags([]))
    }

    /// tgt's answer, as captured (Tests/SCSITests/Fixtures/tgt-replies.txt): fixed-format ILLEGAL REQUEST 20h/00h.
    @Test func fakeTransportTgtIllegalRequestInvalidOpcodeIsUnsupported() throws {
        let captured = Captured.response("drive.logsense.2e")
        #expect(captured.sense.first == 0x70)
        let transport = ScriptedTransport { _, _ in captured }
        let outcome = try TapeAlertReader(transport: transport).read()
        guard case .unsupported(let sense) = outcome else {
            Issue.record("expected unsupported, got \(outcome)")
            return
        }
        #expect(sense.format == .fixed)
        #expect(sense.key == .illegalRequest)
        #expect(sense.additional == .invalidCommandOperationCode)
        #expect(transport.commands.count == 1)
    }

    @Test func fakeTransportIllegalRequestInvalidFieldIsUnsupported() throws {
        let transport = ScriptedTransport { _, _ in check(0x05, 0x24, 0x00) }
        guard case .unsupported(let sense) = try TapeAlertReader(transport: transport).read() else {
            Issue.record("invalid field in CDB means no page 2Eh")
            return
        }
        #expect(sense.additional == .invalidFieldInCDB)
    }

    @Test func fakeTransportOtherIllegalRequestIsAnError() {
        let transport = ScriptedTransport { _, _ in check(0x05, 0x25, 0x00) }
        #expect(throws: TapeAlertReadError.self) { try TapeAlertReader(transport: transport).read() }
    }

    @Test func fakeTransportHostTimeoutIsATypedErrorNamingTheNode() {
        let transport = ScriptedTransport { _, _ in SCSIResponse(status: 0, hostStatus: 0x03) }
        let expected = TapeAlertReadError(
            device: "/dev/fake-sg",
            reason: .command(SCSICommandError(command: "LOG SENSE page 2Eh", device: "/dev/fake-sg", reason: .host(0x03))))
        #expect(throws: expected) { try TapeAlertReader(transport: transport).read() }
        #expect(expected.description.contains("/dev/fake-sg"))
    }

    @Test func fakeTransportThatThrowsGivesATypedError() {
        let failure = SCSICommandError(
            command: "LOG SENSE page 2Eh", device: "/dev/sg9", reason: .system(call: "ioctl(SG_IO)", errno: EIO))
        let transport = ThrowingTransport(device: "/dev/sg9", error: failure)
        #expect(throws: TapeAlertReadError(device: "/dev/sg9", reason: .command(failure))) {
            try TapeAlertReader(transport: transport).read()
        }
    }

    @Test func fakeTransportUnitAttentionIsResentThenRead() throws {
        let transport = ScriptedTransport { _, i in
            i == 0 ? check(0x06, 0x28, 0x00) : SCSIResponse(status: SCSIResponse.good, data: Self.page3_4_20)
        }
        guard case .flags(let flags) = try TapeAlertReader(transport: transport).read() else {
            Issue.record("UNIT ATTENTION is resent")
            return
        }
        #expect(flags.map(\.code) == [3, 4, 20])
        #expect(transport.commands.count == 2)
    }

    @Test func fakeTransportBecomingReadyIsNotWaitedFor() {
        let transport = ScriptedTransport { _, _ in check(0x02, 0x04, 0x01) }
        #expect(throws: TapeAlertReadError.self) { try TapeAlertReader(transport: transport).read() }
        #expect(transport.commands.count == 1)
    }

    @Test func fakeTransportGarbagePageIsATypedDecodeError() {
        let transport = ScriptedTransport { _, _ in SCSIResponse(status: SCSIResponse.good, data: [0x12, 0, 0, 0]) }
        #expect(
            throws: TapeAlertReadError(
                device: "/dev/fake-sg",
                reason: .page(SCSIDecodeError(page: "log page 2Eh (TapeAlert)", offset: 0, reason: .unexpectedPage(expected: 0x2E, found: 0x12))))
        ) { try TapeAlertReader(transport: transport).read() }
    }
}

/// A transport whose every command fails in the transport itself.
struct ThrowingTransport: SCSITransport {
    let device: String
    let error: SCSICommandError

    func execute(_ command: CommandDescriptorBlock) throws(SCSICommandError) -> SCSIResponse { throw error }
}
