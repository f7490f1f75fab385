import Changers

/// Which discovered drive sits in which drive element of a library, by serial number: the DVCID identifier the
/// library reports for the element against the drive's own serial. Never by DriveIndex or /dev/nstN order, which
/// differ after reboots and hotplug.
public enum ChangerDriveMatching {
    /// One drive element and the drive found in it.
    public struct Match: Equatable, Sendable {
        /// mtx's drive number (0-based, address order).
        public var driveNumber: Int
        public var address: UInt16
        public var drive: DriveNode
        /// How it was matched: `dvcid`, `dvcid-prefix` (a reply cut short, as tgt's), `vpd80`.
        public var method: String
    }

    /// Matches the drive elements of `elements` to `drives`.
    /// - An element whose DVCID serial equals a drive's serial (or udev's ID_SERIAL), or whose DVCID is the T10
    ///   vendor form `VENDOR PRODUCT SERIAL` ending in it, gets that drive.
    /// - Then an element whose DVCID was cut short (only a prefix arrived) gets the one remaining drive whose serial
    ///   starts with that prefix; with two or more candidates it stays unmatched.
    /// - `unitSerial` (VPD 80h read from the drive's sg node) is tried for drives whose udev serial matched nothing.
    public static func match(
        elements: [ChangerElement], drives: [DriveNode], unitSerial: ((DriveNode) -> String?)? = nil
    ) -> [Match] {
        let driveElements = SCSIMediaChanger.drives(elements)
        var taken = Set<String>()
        var out: [Int: Match] = [:]
        func identities(_ d: DriveNode) -> [String] { [d.serial] + (d.idSerial.map { [$0] } ?? []) }
        for (number, element) in driveElements.enumerated() {
            guard let dvcid = element.driveSerial.map(trimmed), !dvcid.isEmpty else { continue }
            if let drive = drives.first(where: { !taken.contains($0.serial) && identities($0).contains { same(dvcid, $0) } }) {
                taken.insert(drive.serial)
                out[number] = Match(driveNumber: number, address: element.address, drive: drive, method: "dvcid")
            }
        }
        if let unitSerial {
            for (number, element) in driveElements.enumerated() where out[number] == nil {
                guard let dvcid = element.driveSerial.map(trimmed), !dvcid.isEmpty else { continue }
                if let drive = drives.first(where: {
                    !taken.contains($0.serial) && unitSerial($0).map { same(dvcid, trimmed($0)) } == true
                }) {
                    taken.insert(drive.serial)
                    out[number] = Match(driveNumber: number, address: element.address, drive: drive, method: "vpd80")
                }
            }
        }
        for (number, element) in driveElements.enumerated() where out[number] == nil {
            guard let prefix = element.driveSerialPrefix.map(trimmed), !prefix.isEmpty else { continue }
            let candidates = drives.filter { d in !taken.contains(d.serial) && identities(d).contains { $0.hasPrefix(prefix) } }
            if candidates.count == 1, let drive = candidates.first {
                taken.insert(drive.serial)
                out[number] = Match(driveNumber: number, address: element.address, drive: drive, method: "dvcid-prefix")
            }
        }
        return out.keys.sorted().compactMap { out[$0] }
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\0" }.reversed())
    }

    /// The DVCID is the serial itself, or the T10 vendor form whose last word is the serial.
    static func same(_ dvcid: String, _ serial: String) -> Bool {
        dvcid == serial || (dvcid.split(separator: " ").count > 1 && dvcid.split(separator: " ").last.map(String.init) == serial)
    }
}
