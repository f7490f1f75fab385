import SCSI

/// What to do with a command's response. A pure function of the response, so the policy is tested alone.
public enum CommandOutcome: Equatable, Sendable {
    case success
    /// Send the command again at once (UNIT ATTENTION after a reset or a medium change; a transient transport error).
    case retry
    /// Wait and send again: the device is becoming ready or busy.
    case poll
    case failure(SCSICommandError.Reason)
}

/// Limits for retrying and polling one command.
public struct RecoveryPolicy: Sendable {
    /// Immediate resends (UNIT ATTENTION, ABORTED COMMAND, transport hiccups) before giving up.
    public var maximumRetries: Int
    /// Wait between polls of a device that is becoming ready.
    public var pollIntervalMilliseconds: UInt32
    /// Total time spent polling before the command fails with `.stillNotReady`.
    public var maximumPollMilliseconds: UInt32

    public init(maximumRetries: Int = 5, pollIntervalMilliseconds: UInt32 = 1_000, maximumPollMilliseconds: UInt32 = 300_000) {
        self.maximumRetries = maximumRetries
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.maximumPollMilliseconds = maximumPollMilliseconds
    }

    /// NOT READY codes that mean "wait": becoming ready, operation in progress, cause not reportable.
    static let transientNotReady: Set<AdditionalSense> = [
        AdditionalSense(code: 0x04, qualifier: 0x00), .becomingReady, AdditionalSense(code: 0x04, qualifier: 0x07),
    ]

    /// Classifies a response. Tape conditions (filemark, EOM, ILI with NO SENSE) are failures: the caller decides.
    public static func outcome(of response: SCSIResponse) -> CommandOutcome {
        switch response.hostStatus {
        case 0: break
        case 0x02, 0x08, 0x0B, 0x0C, 0x0D: return .retry  // bus busy, reset, soft error, imm retry, requeue
        default: return .failure(.host(response.hostStatus))
        }
        if response.driverStatus & 0x07 != 0 { return .failure(.driver(response.driverStatus)) }
        switch response.status {
        case SCSIResponse.good, 0x04: return .success  // GOOD, CONDITION MET
        case SCSIResponse.busy, SCSIResponse.taskSetFull: return .poll
        case SCSIResponse.checkCondition: break
        default: return .failure(.status(response.status))
        }
        let sense: SenseData
        do { sense = try SenseData(decoding: response.sense) } catch {
            return .failure(.undecodableSense(response.sense, error))
        }
        switch sense.key {
        case .recoveredError: return .success
        case .noSense where !sense.filemark && !sense.endOfMedium && !sense.incorrectLength: return .success
        case .unitAttention, .abortedCommand: return .retry
        case .notReady where transientNotReady.contains(sense.additional): return .poll
        default: return .failure(.checkCondition(sense))
        }
    }
}

/// Runs commands over a transport with the recovery policy: resends after UNIT ATTENTION, polls while the device
/// becomes ready, and turns everything else into `SCSICommandError`. `sleep` is injected so tests do not wait.
public struct SCSICommandRunner: Sendable {
    public let transport: any SCSITransport
    public var policy: RecoveryPolicy
    let sleep: @Sendable (UInt32) -> Void

    public init(
        transport: any SCSITransport, policy: RecoveryPolicy = RecoveryPolicy(),
        sleep: @escaping @Sendable (UInt32) -> Void = SCSICommandRunner.sleepMilliseconds
    ) {
        self.transport = transport
        self.policy = policy
        self.sleep = sleep
    }

    public static let sleepMilliseconds: @Sendable (UInt32) -> Void = { ms in
        var request = timespec(tv_sec: Int(ms / 1000), tv_nsec: Int(ms % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    public func run(_ command: CommandDescriptorBlock) throws(SCSICommandError) -> SCSIResponse {
        var retries = 0
        var polled: UInt32 = 0
        while true {
            let response = try transport.execute(command)
            switch RecoveryPolicy.outcome(of: response) {
            case .success:
                return response
            case .retry:
                retries += 1
                if retries > policy.maximumRetries { throw error(command, response, still: false) }
            case .poll:
                if polled >= policy.maximumPollMilliseconds { throw error(command, response, still: true) }
                sleep(policy.pollIntervalMilliseconds)
                polled += policy.pollIntervalMilliseconds
            case .failure(let reason):
                throw SCSICommandError(command: command.name, device: transport.device, reason: reason)
            }
        }
    }

    private func error(_ command: CommandDescriptorBlock, _ response: SCSIResponse, still: Bool) -> SCSICommandError {
        let sense = try? SenseData(decoding: response.sense)
        let reason: SCSICommandError.Reason
        if still {
            reason = .stillNotReady(sense)
        } else if let sense {
            reason = .checkCondition(sense)
        } else if response.hostStatus != 0 {
            reason = .host(response.hostStatus)
        } else {
            reason = .status(response.status)
        }
        return SCSICommandError(command: command.name, device: transport.device, reason: reason)
    }
}

#if canImport(Glibc)
import Glibc
#endif
