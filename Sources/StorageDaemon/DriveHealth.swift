import Changers
import Foundation
import Logging
import SCSI

/// One TapeAlert reading of a drive: what LOG SENSE 2Eh answered, and when.
public struct TapeAlertReading: Equatable, Sendable {
    public var outcome: TapeAlertOutcome
    public var readAt: Date

    public init(outcome: TapeAlertOutcome, readAt: Date) {
        self.outcome = outcome
        self.readAt = readAt
    }

    /// The flags that were set; nil when the drive does not support TapeAlert.
    public var flags: [TapeAlertFlag]? {
        if case .flags(let flags) = outcome { return flags }
        return nil
    }
}

/// The last TapeAlert reading of each tape drive, by Device name, for `status` and the metrics. `refresh` asks the
/// drive (over its sg node, on a thread of its own: SG_IO blocks) and logs what changed: once per device that the
/// drive has no TapeAlert (`.info`), each newly set flag (`.warning`, `.error` when critical). A failed read is logged
/// and keeps the previous reading (its `readAt` tells how old it is). Reading the page clears the flags on most
/// drives, so the reading kept here is the drive's last word until the next refresh.
public actor DriveHealth {
    /// Opens a drive's sg node for SG_IO (tests hand in fakes).
    public typealias Opener = @Sendable (String) throws(SCSICommandError) -> any SCSITransport

    private struct DeviceHealth {
        var reading: TapeAlertReading?
        /// The "no TapeAlert" / "no sg node" line was logged.
        var toldUnsupported = false
        var toldNoNode = false
        /// The last failure logged, so a drive that keeps failing the same way is logged once.
        var lastFailure: String?
        var refreshing = false
    }

    private let logger: Logger
    private let open: Opener
    private let timeoutMilliseconds: UInt32
    private var devices: [String: DeviceHealth] = [:]

    public init(
        logger: Logger, timeoutMilliseconds: UInt32 = TapeAlertReader.defaultTimeoutMilliseconds,
        open: @escaping Opener = { path throws(SCSICommandError) in try SCSIGenericDevice(path: path) }
    ) {
        self.logger = logger
        self.timeoutMilliseconds = timeoutMilliseconds
        self.open = open
    }

    /// Reads the TapeAlert page of `device`'s drive through `genericNode` (its sg node) and remembers the outcome.
    /// Without a node nothing is read (logged once). A refresh of a device that is already being read returns at
    /// once: the running one records the answer (a second read would find the flags already cleared).
    public func refresh(device: String, genericNode: String?) async {
        var logger = self.logger
        logger[metadataKey: "device"] = "\(device)"
        guard let node = genericNode else {
            if devices[device, default: DeviceHealth()].toldNoNode == false {
                devices[device, default: DeviceHealth()].toldNoNode = true
                logger.info("TapeAlert not read: the drive has no SCSI generic (sg) node")
            }
            return
        }
        guard devices[device]?.refreshing != true else { return }
        devices[device, default: DeviceHealth()].refreshing = true
        let result = await Self.read(node: node, device: device, open: open, timeoutMilliseconds: timeoutMilliseconds)
        devices[device, default: DeviceHealth()].refreshing = false
        switch result {
        case nil:
            return
        case .success(let outcome)?:
            record(outcome, device: device, node: node, at: Date(), logger: logger)
        case .failure(let error)?:
            let text = "\(error)"
            if devices[device]?.lastFailure != text {
                logger.warning("could not read TapeAlert: \(text)", metadata: ["node": "\(node)"])
            } else {
                logger.debug("could not read TapeAlert: \(text)", metadata: ["node": "\(node)"])
            }
            devices[device, default: DeviceHealth()].lastFailure = text
        }
    }

    /// The flags set at the last reading; nil when the drive was never read or does not support TapeAlert.
    public func flags(device: String) -> [TapeAlertFlag]? { devices[device]?.reading?.flags }

    /// The last reading of `device`, if its drive ever answered.
    public func reading(device: String) -> TapeAlertReading? { devices[device]?.reading }

    /// Every device's last reading, by Device name.
    public func readings() -> [String: TapeAlertReading] { devices.compactMapValues(\.reading) }

    /// Keeps `outcome` as the device's reading and logs what is new in it.
    func record(_ outcome: TapeAlertOutcome, device: String, node: String, at time: Date, logger: Logger) {
        var health = devices[device, default: DeviceHealth()]
        let before = Set(health.reading?.flags ?? [])
        health.reading = TapeAlertReading(outcome: outcome, readAt: time)
        health.lastFailure = nil
        switch outcome {
        case .unsupported(let sense):
            if !health.toldUnsupported {
                health.toldUnsupported = true
                logger.info("the drive does not support TapeAlert: \(sense)", metadata: ["node": "\(node)"])
            }
        case .flags(let flags):
            health.toldUnsupported = false
            for flag in flags where !before.contains(flag) {
                let metadata: Logger.Metadata = [
                    "node": "\(node)", "tapealert": "\(flag.code)", "severity": "\(flag.severity.rawValue)",
                ]
                let message: Logger.Message = "TapeAlert \(flag.code) \(flag.name) (\(flag.severity.rawValue))"
                if flag.severity == .critical {
                    logger.error(message, metadata: metadata)
                } else {
                    logger.warning(message, metadata: metadata)
                }
            }
        }
        devices[device] = health
    }

    /// Opens the node and reads the page on a thread of its own, so the blocking SG_IO never holds a thread of the
    /// cooperative pool. nil only if the thread ended without an answer (it cannot).
    private static func read(node: String, device: String, open: @escaping Opener, timeoutMilliseconds: UInt32) async
        -> Result<TapeAlertOutcome, TapeAlertReadError>?
    {
        let box = GuardedState<Result<TapeAlertOutcome, TapeAlertReadError>?>("TapeAlert of \(device)", nil)
        let handle = ThreadBridge.start(name: "tapealert \(device)") {
            let result: Result<TapeAlertOutcome, TapeAlertReadError>
            do throws(TapeAlertReadError) {
                let transport: any SCSITransport
                do throws(SCSICommandError) {
                    transport = try open(node)
                } catch {
                    throw TapeAlertReadError(device: node, reason: .command(error))
                }
                let reader = TapeAlertReader(transport: transport, timeoutMilliseconds: timeoutMilliseconds)
                result = .success(try reader.read())
            } catch {
                result = .failure(error)
            }
            box.withLock { $0 = result }
        }
        await handle.join()
        return box.withLock { $0 }
    }
}
