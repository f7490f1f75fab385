import SCSI

/// What a drive answered to LOG SENSE page 2Eh.
public enum TapeAlertOutcome: Equatable, Sendable {
    /// The drive sent the page: the flags that are set, in parameter order (empty when none is).
    case flags([TapeAlertFlag])
    /// The drive refused the command or the page with ILLEGAL REQUEST (invalid command operation code 20h/00h, as
    /// tgt answers, or invalid field in CDB 24h/00h, a drive without page 2Eh): it has no TapeAlert.
    case unsupported(SenseData)
}

/// Reading TapeAlert failed for another reason than "not supported": the node, and why.
public struct TapeAlertReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The command failed (transport, system call, or a CHECK CONDITION other than ILLEGAL REQUEST 20h/24h).
        case command(SCSICommandError)
        /// The drive answered GOOD with bytes that are not a TapeAlert page.
        case page(SCSIDecodeError)
    }

    /// The sg node that was asked.
    public var device: String
    public var reason: Reason

    public init(device: String, reason: Reason) {
        self.device = device
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .command(let error): "TapeAlert on \(device): \(error)"
        case .page(let error): "TapeAlert on \(device): \(error)"
        }
    }
}

/// Reads the TapeAlert log page of one drive over its sg node. Blocking (one SG_IO command, resent at most twice
/// after UNIT ATTENTION; a drive that is becoming ready is not waited for): call it off the concurrency pool.
/// Reading the page clears the flags on most drives, so the caller keeps what it read.
public struct TapeAlertReader: Sendable {
    /// LOG SENSE is a status command: a drive answers it in well under a second.
    public static let defaultTimeoutMilliseconds: UInt32 = 10_000
    /// 64 parameters of 5 bytes plus the 4-byte header is 324; some drives pad.
    static let allocationLength: UInt16 = 512

    public let transport: any SCSITransport
    public let timeoutMilliseconds: UInt32

    public init(
        transport: any SCSITransport, timeoutMilliseconds: UInt32 = TapeAlertReader.defaultTimeoutMilliseconds
    ) {
        self.transport = transport
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The LOG SENSE 2Eh command this reader sends.
    public var command: CommandDescriptorBlock {
        var command = TapeAlert.command(allocationLength: Self.allocationLength)
        command.timeoutMilliseconds = timeoutMilliseconds
        return command
    }

    /// Sends LOG SENSE 2Eh once and classifies the answer.
    public func read() throws(TapeAlertReadError) -> TapeAlertOutcome {
        let policy = RecoveryPolicy(maximumRetries: 2, maximumPollMilliseconds: 0)
        let runner = SCSICommandRunner(transport: transport, policy: policy, sleep: { _ in })
        let response: SCSIResponse
        do {
            response = try runner.run(command)
        } catch {
            if case .checkCondition(let sense) = error.reason, Self.meansUnsupported(sense) {
                return .unsupported(sense)
            }
            throw TapeAlertReadError(device: transport.device, reason: .command(error))
        }
        do {
            return .flags(try TapeAlert(decoding: response.data).flags)
        } catch {
            throw TapeAlertReadError(device: transport.device, reason: .page(error))
        }
    }

    /// ILLEGAL REQUEST with invalid command operation code (no LOG SENSE) or invalid field in CDB (no page 2Eh).
    static func meansUnsupported(_ sense: SenseData) -> Bool {
        sense.key == .illegalRequest
            && (sense.additional == .invalidCommandOperationCode || sense.additional == .invalidFieldInCDB)
    }
}
