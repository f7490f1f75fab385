import SCSI

/// A SCSI command that did not succeed: which command, on which device, and why.
public struct SCSICommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// CHECK CONDITION with this sense.
        case checkCondition(SenseData)
        /// CHECK CONDITION whose sense bytes do not decode.
        case undecodableSense([UInt8], SCSIDecodeError)
        /// Another SCSI status (RESERVATION CONFLICT 18h, BUSY 08h for too long ...).
        case status(UInt8)
        /// The HBA or the transport failed the command (host_status, e.g. 03h time-out, 01h no connect).
        case host(UInt16)
        /// The sg driver failed the command (driver_status without the sense flag).
        case driver(UInt16)
        /// The device kept reporting "becoming ready" (or BUSY) past the polling budget.
        case stillNotReady(SenseData?)
        /// A system call failed (open, ioctl(SG_IO)); ENOTTY means the node is not an sg device.
        case system(call: String, errno: Int32)
    }

    public var command: String
    public var device: String
    public var reason: Reason

    public init(command: String, device: String, reason: Reason) {
        self.command = command
        self.device = device
        self.reason = reason
    }

    /// The sense data, when the device sent some.
    public var sense: SenseData? {
        switch reason {
        case .checkCondition(let s): s
        case .stillNotReady(let s): s
        default: nil
        }
    }

    public var description: String {
        let why: String =
            switch reason {
            case .checkCondition(let s): "CHECK CONDITION \(s)"
            case .undecodableSense(_, let e): "CHECK CONDITION with undecodable sense: \(e)"
            case .status(let s): "SCSI status \(String(s, radix: 16))h"
            case .host(let h): "host status \(String(h, radix: 16))h"
            case .driver(let d): "driver status \(String(d, radix: 16))h"
            case .stillNotReady(let s): "device still not ready" + (s.map { " (\($0))" } ?? "")
            case .system(let call, let e): "\(call) failed with errno \(e)"
            }
        return "\(command) on \(device): \(why)"
    }
}
