import CCapstanLinux
import SCSI

#if canImport(Glibc)
import Glibc
#endif

/// A Linux sg node (`/dev/sgN`, or the changer's `/dev/tape/by-id/...-changer` link) opened for SG_IO. The only
/// type in the changer layer that makes system calls; each goes through `retryingEINTR`.
public final class SCSIGenericDevice: SCSITransport {
    public let device: String
    private let fd: Int32
    /// Sense buffer size handed to the kernel (SCSI allows up to 252 bytes).
    static let senseCapacity = 252
    /// Upper bound for data-in: larger allocation lengths are refused before any memory is taken.
    static let maximumTransfer = 16 << 20

    /// Opens `path` read-write, non-blocking (sg opens do not wait for the device, commands still block).
    public init(path: String) throws(SCSICommandError) {
        device = path
        fd = try Self.retryingEINTR("open", path) { Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) }
    }

    deinit { _ = Glibc.close(fd) }

    /// Issues SG_IO with the command's timeout. CHECK CONDITION is a response, not an error: the runner decides.
    public func execute(_ command: CommandDescriptorBlock) throws(SCSICommandError) -> SCSIResponse {
        guard !command.bytes.isEmpty, command.bytes.count <= 16 else {
            throw SCSICommandError(command: command.name, device: device, reason: .system(call: "SG_IO", errno: EINVAL))
        }
        var cdb = command.bytes
        var sense = [UInt8](repeating: 0, count: Self.senseCapacity)
        var data: [UInt8]
        let direction: Int32
        switch command.transfer {
        case .none:
            data = []
            direction = SG_DXFER_NONE
        case .fromDevice(let length):
            guard length >= 0, length <= Self.maximumTransfer else {
                throw SCSICommandError(command: command.name, device: device, reason: .system(call: "SG_IO", errno: EINVAL))
            }
            data = [UInt8](repeating: 0, count: length)
            direction = SG_DXFER_FROM_DEV
        case .toDevice(let bytes):
            data = bytes
            direction = SG_DXFER_TO_DEV
        }
        var header = sg_io_hdr_t()
        header.interface_id = Int32(UInt8(ascii: "S"))
        header.dxfer_direction = direction
        header.cmd_len = UInt8(cdb.count)
        header.mx_sb_len = UInt8(Self.senseCapacity)
        header.dxfer_len = UInt32(data.count)
        header.timeout = command.timeoutMilliseconds
        let fd = self.fd
        _ = try Self.retryingEINTR("ioctl(SG_IO)", device, command: command.name) {
            cdb.withUnsafeMutableBufferPointer { cdbBuffer in
                sense.withUnsafeMutableBufferPointer { senseBuffer in
                    data.withUnsafeMutableBytes { dataBuffer in
                        header.cmdp = cdbBuffer.baseAddress
                        header.sbp = senseBuffer.baseAddress
                        header.dxferp = dataBuffer.count > 0 ? dataBuffer.baseAddress : nil
                        return withUnsafeMutablePointer(to: &header) { capstan_ioctl_ptr(fd, capstan_SG_IO(), $0) }
                    }
                }
            }
        }
        if direction == SG_DXFER_FROM_DEV {
            let received = max(0, min(data.count, data.count - Int(header.resid)))
            data.removeSubrange(received...)
        }
        return SCSIResponse(
            status: header.status, data: direction == SG_DXFER_FROM_DEV ? data : [],
            sense: Array(sense.prefix(Int(header.sb_len_wr))), hostStatus: header.host_status,
            driverStatus: header.driver_status)
    }

    /// The one funnel for system calls: retries EINTR, turns any other failure into a typed error.
    static func retryingEINTR(
        _ call: String, _ path: String, command: String = "open", _ body: () -> Int32
    ) throws(SCSICommandError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SCSICommandError(command: command, device: path, reason: .system(call: call, errno: code))
        }
    }
}
