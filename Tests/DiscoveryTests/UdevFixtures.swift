import Discovery

/// udev records shaped as `udevadm info` showed them in the harness VM (tgt library: two IBM drives, an IBM changer
/// and the target's controller LUN, iSCSI host 0).
enum VM {
    static let session = "/sys/devices/platform/host0/session1/target0:0:0"

    static func record(
        _ subsystem: String, _ name: String, lun: Int, serial: String?, idSerial: String?, vendor: String = "IBM",
        model: String, type: String, links: [String] = [], parentKnown: Bool = true
    ) -> UdevRecord {
        var properties: [String: String] = ["SUBSYSTEM": subsystem, "DEVNAME": "/dev/\(name)"]
        if let serial { properties["ID_SCSI_SERIAL"] = serial }
        if let idSerial {
            properties["ID_SERIAL"] = idSerial
            properties["ID_VENDOR"] = vendor
            properties["ID_MODEL"] = model
        }
        if !links.isEmpty { properties["DEVLINKS"] = links.joined(separator: " ") }
        let parent = "\(session)/0:0:0:\(lun)"
        return UdevRecord(
            subsystem: subsystem, sysname: name, syspath: "\(parent)/\(subsystem)/\(name)", devnode: "/dev/\(name)",
            properties: properties, scsiDevice: parentKnown ? parent : nil,
            scsiAttributes: parentKnown ? ["vendor": vendor, "model": model, "type": type] : [:])
    }

    static func naa(_ lun: Int) -> String { "360000000000000000e0000000001000\(lun)" }

    static func drive(lun: Int, nst: Int, sg: Int) -> [UdevRecord] {
        let serial = "DRV0000\(lun)"
        return [
            record(
                "scsi_tape", "nst\(nst)", lun: lun, serial: serial, idSerial: naa(lun), model: "ULT3580-TD6", type: "1",
                links: ["/dev/tape/by-id/scsi-\(serial)-nst", "/dev/tape/by-id/scsi-\(naa(lun))-nst"]),
            record("scsi_tape", "nst\(nst)a", lun: lun, serial: serial, idSerial: naa(lun), model: "ULT3580-TD6", type: "1"),
            record("scsi_tape", "st\(nst)", lun: lun, serial: serial, idSerial: naa(lun), model: "ULT3580-TD6", type: "1"),
            record(
                "scsi_generic", "sg\(sg)", lun: lun, serial: serial, idSerial: naa(lun), model: "ULT3580-TD6", type: "1",
                links: ["/dev/tape/by-id/scsi-\(serial)-sg"]),
        ]
    }

    static let changer: [UdevRecord] = [
        record("scsi_changer", "sch0", lun: 3, serial: nil, idSerial: nil, model: "3573-TL", type: "8"),
        record(
            "scsi_generic", "sg3", lun: 3, serial: "LIB00001", idSerial: naa(3), model: "3573-TL", type: "8",
            links: ["/dev/tape/by-id/scsi-LIB00001-sg", "/dev/tape/by-id/scsi-\(naa(3))-changer"]),
    ]

    static let controller = record("scsi_generic", "sg0", lun: 0, serial: nil, idSerial: nil, vendor: "IET", model: "Controller", type: "12")

    static var library: [UdevRecord] { [controller] + drive(lun: 1, nst: 0, sg: 1) + drive(lun: 2, nst: 1, sg: 2) + changer }
}
