import Changers
import SCSI
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The sense → retry/poll/fail decision, the runner's loop over a scripted transport, and the SG_IO path's errors.
@Suite struct RecoveryTests {
    @Test func goodAndRecoveredAreSuccess() {
        #expect(RecoveryPolicy.outcome(of: SCSIResponse(status: 0)) == .success)
        #expect(RecoveryPolicy.outcome(of: check(0x01, 0x5D, 0x00)) == .success)
        #expect(RecoveryPolicy.outcome(of: check(0x00, 0x00, 0x00)) == .success)
    }

    @Test func unitAttentionAndAbortedCommandAreResent() {
        #expect(RecoveryPolicy.outcome(of: check(0x06, 0x29, 0x00)) == .retry)
        #expect(RecoveryPolicy.outcome(of: check(0x06, 0x28, 0x00)) == .retry)
        #expect(RecoveryPolicy.outcome(of: check(0x0B, 0x47, 0x00)) == .retry)
        #expect(RecoveryPolicy.outcome(of: SCSIResponse(status: 0, hostStatus: 0x0D)) == .retry)
    }

    @Test func becomingReadyAndBusyArePolled() {
        #expect(RecoveryPolicy.outcome(of: check(0x02, 0x04, 0x01)) == .poll)
        #expect(RecoveryPolicy.outcome(of: check(0x02, 0x04, 0x07)) == .poll)
        #expect(RecoveryPolicy.outcome(of: SCSIResponse(status: SCSIResponse.busy)) == .poll)
    }

    @Test func everythingElseFailsWithTheSense() throws {
        let noMedium = Captured.response("drive.tur.empty")
        guard case .failure(.checkCondition(let s)) = RecoveryPolicy.outcome(of: noMedium) else {
            Issue.record("medium not present must fail")
            return
        }
        #expect(s.additional == .mediumNotPresent)
        let filemark = SCSIResponse(status: 2, sense: bytes0("f0 00 80 00 01 00 00 0a 00 00 00 00 00 01"))
        guard case .failure(.checkCondition(let fm)) = RecoveryPolicy.outcome(of: filemark) else {
            Issue.record("a filemark is for the caller")
            return
        }
        #expect(fm.filemark)
        #expect(RecoveryPolicy.outcome(of: SCSIResponse(status: 0x18)) == .failure(.status(0x18)))
        #expect(RecoveryPolicy.outcome(of: SCSIResponse(status: 0, hostStatus: 0x03)) == .failure(.host(0x03)))
        #expect(RecoveryPolicy.outcome(of: SCSIResponse(status: 0, driverStatus: 0x06)) == .failure(.driver(0x06)))
        guard case .failure(.undecodableSense) = RecoveryPolicy.outcome(of: SCSIResponse(status: 2, sense: [0x12])) else {
            Issue.record("garbage sense is a typed failure")
            return
        }
    }

    @Test func runnerResendsAfterUnitAttention() throws {
        let transport = ScriptedTransport { _, i in i < 2 ? check(0x06, 0x29, 0x00) : SCSIResponse(status: 0, data: [1]) }
        let runner = SCSICommandRunner(transport: transport, sleep: { _ in Issue.record("no sleeping for UA") })
        #expect(try runner.run(.testUnitReady()).data == [1])
        #expect(transport.commands.count == 3)
    }

    @Test func runnerPollsWhileBecomingReady() throws {
        let slept = Mutex<[UInt32]>([])
        let transport = ScriptedTransport { _, i in i < 4 ? check(0x02, 0x04, 0x01) : SCSIResponse(status: 0) }
        let runner = SCSICommandRunner(
            transport: transport, policy: RecoveryPolicy(pollIntervalMilliseconds: 500),
            sleep: { ms in slept.withLock { $0.append(ms) } })
        _ = try runner.run(.testUnitReady())
        #expect(slept.withLock { $0 } == [500, 500, 500, 500])
    }

    @Test func pollingHasABudget() {
        let transport = ScriptedTransport { _, _ in check(0x02, 0x04, 0x01) }
        let runner = SCSICommandRunner(
            transport: transport, policy: RecoveryPolicy(pollIntervalMilliseconds: 1_000, maximumPollMilliseconds: 10_000),
            sleep: { _ in })
        #expect(throws: SCSICommandError.self) { try runner.run(.testUnitReady()) }
        #expect(transport.commands.count == 11)
        do {
            _ = try runner.run(.testUnitReady())
        } catch {
            guard case .stillNotReady(let s) = error.reason else {
                Issue.record("expected stillNotReady, got \(error)")
                return
            }
            #expect(s?.additional == .becomingReady)
            #expect(error.command == "TEST UNIT READY")
            #expect(error.device == "/dev/fake-sg")
        }
    }

    @Test func unitAttentionForeverGivesUp() {
        let transport = ScriptedTransport { _, _ in check(0x06, 0x29, 0x00) }
        let runner = SCSICommandRunner(transport: transport, policy: RecoveryPolicy(maximumRetries: 3), sleep: { _ in })
        #expect(throws: SCSICommandError.self) { try runner.run(.testUnitReady()) }
        #expect(transport.commands.count == 4)
    }

    @Test func sgIOOnDevNullIsATypedENOTTY() throws {
        let device = try SCSIGenericDevice(path: "/dev/null")
        #expect(throws: SCSICommandError(command: "TEST UNIT READY", device: "/dev/null", reason: .system(call: "ioctl(SG_IO)", errno: ENOTTY))) {
            try device.execute(.testUnitReady())
        }
        #expect(throws: SCSICommandError(command: "INQUIRY", device: "/dev/null", reason: .system(call: "ioctl(SG_IO)", errno: ENOTTY))) {
            try device.execute(StandardInquiry.command())
        }
    }

    @Test func missingNodeIsATypedENOENT() {
        #expect(throws: SCSICommandError(command: "open", device: "/dev/capstan-no-such-sg", reason: .system(call: "open", errno: ENOENT))) {
            try SCSIGenericDevice(path: "/dev/capstan-no-such-sg")
        }
    }

    @Test func oversizedAllocationIsRefusedBeforeAllocating() throws {
        let device = try SCSIGenericDevice(path: "/dev/null")
        let huge = CommandDescriptorBlock(bytes: [0x12, 0, 0, 0, 0, 0], timeoutMilliseconds: 1, transfer: .fromDevice(allocationLength: 1 << 40), name: "X")
        #expect(throws: SCSICommandError(command: "X", device: "/dev/null", reason: .system(call: "SG_IO", errno: EINVAL))) {
            try device.execute(huge)
        }
    }
}

func bytes0(_ hex: String) -> [UInt8] { hexBytes(hex.filter { !$0.isWhitespace }) }
