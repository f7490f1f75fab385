import CUdev

/// A device node that udev knows, with the properties Capstan matches on.
public struct DiscoveredDevice: Equatable, Sendable {
    public var subsystem: String
    public var syspath: String
    public var devnode: String?
    /// udev's `ID_SCSI_SERIAL` (or `ID_SERIAL_SHORT`), the identity of a drive across reboots and hotplug.
    public var serial: String?
}

/// Reads the udev database once (udev_enumerate_scan_devices); no monitoring.
public enum UdevEnumeration {
    /// Lists the devices of the given subsystems (for example `scsi_tape`, `scsi_generic`, `scsi_changer`).
    /// Returns an empty list when udev cannot be opened.
    public static func devices(subsystems: [String]) -> [DiscoveredDevice] {
        guard let udev = udev_new() else { return [] }
        defer { udev_unref(udev) }
        guard let enumerate = udev_enumerate_new(udev) else { return [] }
        defer { udev_enumerate_unref(enumerate) }
        for subsystem in subsystems { udev_enumerate_add_match_subsystem(enumerate, subsystem) }
        udev_enumerate_scan_devices(enumerate)
        var found: [DiscoveredDevice] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let path = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(udev, path)
            else { continue }
            defer { udev_device_unref(device) }
            func text(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
            found.append(
                DiscoveredDevice(
                    subsystem: text(udev_device_get_subsystem(device)) ?? "",
                    syspath: String(cString: path),
                    devnode: text(udev_device_get_devnode(device)),
                    serial: text(udev_device_get_property_value(device, "ID_SCSI_SERIAL"))
                        ?? text(udev_device_get_property_value(device, "ID_SERIAL_SHORT"))))
        }
        return found
    }
}
