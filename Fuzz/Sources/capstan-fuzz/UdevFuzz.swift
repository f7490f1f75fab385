import Discovery

/// What libudev reports, as the pure layer sees it: records built from the input's `KEY=VALUE` lines (a line
/// `--` starts the next record; SUBSYSTEM, SYSNAME, SYSPATH, DEVNAME, SCSI_DEVICE and `ATTR_*` fill the record's
/// fields), grouped into drives and changers.
enum UdevFuzz {
    static func run(_ input: [UInt8]) {
        var records: [UdevRecord] = []
        var fields: [String: String] = [:]
        func finish() {
            guard !fields.isEmpty else { return }
            var attributes: [String: String] = [:]
            for (key, value) in fields where key.hasPrefix("ATTR_") { attributes[String(key.dropFirst(5))] = value }
            records.append(
                UdevRecord(
                    subsystem: fields["SUBSYSTEM"] ?? "", sysname: fields["SYSNAME"] ?? "", syspath: fields["SYSPATH"] ?? "",
                    devnode: fields["DEVNAME"], properties: fields, scsiDevice: fields["SCSI_DEVICE"],
                    scsiAttributes: attributes))
            fields = [:]
        }
        for line in String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "--" {
                finish()
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        finish()
        for record in records { _ = UdevRecord.parentFromSyspath(record.syspath) }
        let inventory = DeviceInventory(records: records)
        for drive in inventory.drives { _ = inventory.drive(serial: drive.serial) }
    }
}
