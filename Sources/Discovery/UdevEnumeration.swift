import Foundation
import CUdev

/// Reads the udev database (udev_enumerate_scan_devices) once.
public enum UdevEnumeration {
    /// The subsystems of tape drives and changers: st nodes, sg nodes, ch nodes.
    public static let tapeSubsystems = ["scsi_tape", "scsi_generic", "scsi_changer"]

    /// Lists the devices of the given subsystems. Returns an empty list when udev cannot be opened.
    public static func devices(subsystems: [String]) -> [UdevRecord] {
        guard let udev = udev_new() else { return [] }
        defer { udev_unref(udev) }
        guard let enumerate = udev_enumerate_new(udev) else { return [] }
        defer { udev_enumerate_unref(enumerate) }
        for subsystem in subsystems { udev_enumerate_add_match_subsystem(enumerate, subsystem) }
        udev_enumerate_scan_devices(enumerate)
        var found: [UdevRecord] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let path = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(udev, path)
            else { continue }
            defer { udev_device_unref(device) }
            found.append(UdevRecord(device))
        }
        return found
    }

    /// The tape drives and changers udev shows now.
    public static func inventory() -> DeviceInventory {
        DeviceInventory(records: devices(subsystems: tapeSubsystems))
    }
}

extension UdevRecord {
    /// Copies what Capstan needs out of a libudev device (which stays owned by the caller).
    init(_ device: OpaquePointer) {
        func text(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            if let name = text(udev_list_entry_get_name(current)) {
                properties[name] = text(udev_list_entry_get_value(current)) ?? ""
            }
            entry = udev_list_entry_get_next(current)
        }
        var scsiDevice: String?
        var attributes: [String: String] = [:]
        // The parent is owned by the child: no unref.
        if let parent = udev_device_get_parent_with_subsystem_devtype(device, "scsi", "scsi_device") {
            scsiDevice = text(udev_device_get_syspath(parent))
            for name in ["vendor", "model", "rev", "type"] {
                if let value = text(udev_device_get_sysattr_value(parent, name)) {
                    attributes[name] = value.trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
        }
        self.init(
            subsystem: text(udev_device_get_subsystem(device)) ?? "", sysname: text(udev_device_get_sysname(device)) ?? "",
            syspath: text(udev_device_get_syspath(device)) ?? "", devnode: text(udev_device_get_devnode(device)),
            properties: properties, scsiDevice: scsiDevice, scsiAttributes: attributes)
    }
}
