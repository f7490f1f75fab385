/// How a Device's `Archive Device` names its drive.
public enum DriveReference: Equatable, Sendable {
    /// A `/dev/tape/by-id/<bus>-<serial>[-nst|-sg]` link: the serial is in the name.
    case serial(String)
    /// Another device node or link (`/dev/nst0`, a by-path link): its serial is learned from udev the first time it
    /// is seen, and from then on the drive is tracked by that serial, whatever node it gets after a reboot or hotplug.
    case node(String)
    /// Not a device node (a file volume or a virtual tape image): nothing to discover.
    case notADevice

    /// Classifies an Archive Device path. Pure: looks at the text only.
    public init(archiveDevice path: String) {
        let byID = "/dev/tape/by-id/"
        if path.hasPrefix(byID), let serial = Self.serial(fromLinkName: String(path.dropFirst(byID.count))) {
            self = .serial(serial)
        } else if path.hasPrefix("/dev/") {
            self = .node(path)
        } else {
            self = .notADevice
        }
    }

    /// `scsi-DRV00001-nst` → `DRV00001`: udev names tape links `$ID_BUS-$serial` plus `-nst`, `-sg` (Capstan's rule)
    /// or `-changer`; the bus has no dash, the serial may.
    static func serial(fromLinkName name: String) -> String? {
        guard !name.contains("/"), let dash = name.firstIndex(of: "-") else { return nil }
        var rest = name[name.index(after: dash)...]
        for suffix in ["-nst", "-sg", "-changer"] where rest.hasSuffix(suffix) {
            rest = rest.dropLast(suffix.count)
            break
        }
        return rest.isEmpty ? nil : String(rest)
    }
}
