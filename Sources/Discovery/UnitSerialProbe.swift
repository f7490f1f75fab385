import Changers
import SCSI

/// Reads a drive's unit serial number (INQUIRY VPD page 80h) from its sg node: the identity to fall back on when
/// udev has no `ID_SCSI_SERIAL`. Blocking (one SG_IO command); call it off the concurrency pool.
public enum UnitSerialProbe {
    public static func serial(of drive: DriveNode) -> String? {
        guard let node = drive.genericNode, let device = try? SCSIGenericDevice(path: node) else { return nil }
        let runner = SCSICommandRunner(transport: device)
        guard let reply = try? runner.run(UnitSerialNumber.command()),
            let page = try? UnitSerialNumber(decoding: reply.data)
        else { return nil }
        return page.serial.isEmpty ? nil : page.serial
    }
}
