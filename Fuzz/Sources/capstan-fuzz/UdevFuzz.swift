import Discovery

/// What libudev reports, as the pure layer sees it: records built from the input's `KEY=VALUE` lines (split at
/// newline and first `=` bytes; a line `--` starts the next record; SUBSYSTEM, SYSNAME, SYSPATH, DEVNAME, SCSI_DEVICE
/// and `ATTR_*` fill the record's fields), grouped into drives and changers.
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
        // Lines and `=` are found in the bytes (each part then made text on its own): splitting the whole input as
        // text walked it character by character, a tenth of the target's time with inputs of several KB.
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.elementsEqual("--".utf8) {
                finish()
                continue
            }
            if let equals = line.firstIndex(of: UInt8(ascii: "=")) {
                fields[String(decoding: line[..<equals], as: UTF8.self)] =
                    String(decoding: line[(equals + 1)...], as: UTF8.self)
            } else {
                fields[String(decoding: line, as: UTF8.self)] = ""
            }
        }
        finish()
        for record in records { _ = UdevRecord.parentFromSyspath(record.syspath) }
        let inventory = DeviceInventory(records: records)
        // A few lookups that find a drive and one that finds none: looking every drive up was quadratic in the
        // drives, and with hundreds of small records in a large input it was most of the target's time.
        for drive in inventory.drives.prefix(4) + inventory.drives.suffix(4) { _ = inventory.drive(serial: drive.serial) }
        _ = inventory.drive(serial: "")
    }
}
