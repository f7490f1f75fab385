/// A tape drive as udev shows it, identified by its serial number.
public struct DriveNode: Equatable, Sendable, Codable {
    /// `ID_SCSI_SERIAL` (the unit serial number, VPD 80h), else `ID_SERIAL`; what Capstan tracks the drive by.
    public var serial: String
    /// udev's `ID_SERIAL` (often an NAA identifier from VPD 83h); also accepted when matching.
    public var idSerial: String?
    public var vendor: String
    public var model: String
    /// The no-rewind st node (`/dev/nst0`).
    public var tapeNode: String?
    /// The drive's sg node (`/dev/sg1`), found through the common parent SCSI device.
    public var genericNode: String?
    /// `H:C:T:L`.
    public var scsiAddress: String?
    /// udev links of the st and sg nodes (`/dev/tape/by-id/scsi-<serial>-nst` ...).
    public var links: [String]

    public init(
        serial: String, idSerial: String? = nil, vendor: String = "", model: String = "", tapeNode: String? = nil,
        genericNode: String? = nil, scsiAddress: String? = nil, links: [String] = []
    ) {
        self.serial = serial
        self.idSerial = idSerial
        self.vendor = vendor
        self.model = model
        self.tapeNode = tapeNode
        self.genericNode = genericNode
        self.scsiAddress = scsiAddress
        self.links = links
    }

    /// The drive answers to `serial` (its unit serial or udev's ID_SERIAL).
    public func answers(to serial: String) -> Bool { self.serial == serial || idSerial == serial }
}

/// A medium changer as udev shows it.
public struct ChangerNode: Equatable, Sendable, Codable {
    public var serial: String
    public var idSerial: String?
    public var vendor: String
    public var model: String
    /// The sg node SG_IO goes to (`/dev/sg3`).
    public var genericNode: String?
    /// The ch driver's node (`/dev/sch0`), when `ch` is bound.
    public var changerNode: String?
    public var scsiAddress: String?
    public var links: [String]

    public init(
        serial: String, idSerial: String? = nil, vendor: String = "", model: String = "", genericNode: String? = nil,
        changerNode: String? = nil, scsiAddress: String? = nil, links: [String] = []
    ) {
        self.serial = serial
        self.idSerial = idSerial
        self.vendor = vendor
        self.model = model
        self.genericNode = genericNode
        self.changerNode = changerNode
        self.scsiAddress = scsiAddress
        self.links = links
    }

    public func answers(to serial: String) -> Bool { self.serial == serial || idSerial == serial }
}

/// The drives and changers of one look at udev.
public struct DeviceInventory: Equatable, Sendable, Codable {
    public var drives: [DriveNode]
    public var changers: [ChangerNode]

    public init(drives: [DriveNode] = [], changers: [ChangerNode] = []) {
        self.drives = drives
        self.changers = changers
    }

    /// Groups udev records by their parent SCSI device: a drive is the SCSI device with an `nstN` node (or SCSI
    /// type 1), a changer the one with an `schN` node (or type 8); each gets the sg node of the same parent.
    /// Devices without a serial are left out (nothing could track them).
    public init(records: [UdevRecord]) {
        var groups: [String: [UdevRecord]] = [:]
        var order: [String] = []
        for r in records {
            guard let parent = r.scsiDevice ?? UdevRecord.parentFromSyspath(r.syspath) else { continue }
            if groups[parent] == nil { order.append(parent) }
            groups[parent, default: []].append(r)
        }
        var drives: [DriveNode] = []
        var changers: [ChangerNode] = []
        for parent in order {
            let group = groups[parent] ?? []
            let type = group.lazy.compactMap { $0.scsiAttributes["type"] }.first
            let tape = group.first { $0.subsystem == "scsi_tape" && Self.isNoRewindNode($0.sysname) }
            let changer = group.first { $0.subsystem == "scsi_changer" }
            let generic = group.first { $0.subsystem == "scsi_generic" }
            guard let serial = group.lazy.compactMap({ nonEmpty($0.properties["ID_SCSI_SERIAL"]) }).first
                ?? group.lazy.compactMap({ nonEmpty($0.properties["ID_SERIAL"]) }).first
            else { continue }
            let idSerial = group.lazy.compactMap { nonEmpty($0.properties["ID_SERIAL"]) }.first
            let vendor = group.lazy.compactMap { nonEmpty($0.properties["ID_VENDOR"]) ?? nonEmpty($0.scsiAttributes["vendor"]) }.first ?? ""
            let model = group.lazy.compactMap { nonEmpty($0.properties["ID_MODEL"]) ?? nonEmpty($0.scsiAttributes["model"]) }.first ?? ""
            let address = group.lazy.compactMap(\.scsiAddress).first
            let links = Array(Set(group.flatMap(\.links))).sorted()
            if tape != nil || type == "1" {
                drives.append(
                    DriveNode(
                        serial: serial, idSerial: idSerial, vendor: vendor, model: model, tapeNode: tape?.devnode,
                        genericNode: generic?.devnode, scsiAddress: address, links: links))
            } else if changer != nil || type == "8" {
                changers.append(
                    ChangerNode(
                        serial: serial, idSerial: idSerial, vendor: vendor, model: model, genericNode: generic?.devnode,
                        changerNode: changer?.devnode, scsiAddress: address, links: links))
            }
        }
        self.drives = drives.sorted { ($0.scsiAddress ?? "", $0.serial) < ($1.scsiAddress ?? "", $1.serial) }
        self.changers = changers.sorted { ($0.scsiAddress ?? "", $0.serial) < ($1.scsiAddress ?? "", $1.serial) }
    }

    /// `nst0` (not `nst0a`/`nst0l`/`nst0m`, the other density modes, nor `st0`, which rewinds on close).
    static func isNoRewindNode(_ name: String) -> Bool {
        name.hasPrefix("nst") && name.count > 3 && name.dropFirst(3).allSatisfy(\.isNumber)
    }

    /// The drive with that serial, if udev shows it.
    public func drive(serial: String) -> DriveNode? { drives.first { $0.answers(to: serial) } }

    /// The drive or changer whose node or link is `path` (its no-rewind, rewind or sg node, or a udev link).
    public func drive(atPath path: String) -> DriveNode? {
        drives.first { $0.tapeNode == path || $0.genericNode == path || $0.links.contains(path) }
    }

    public func changer(atPath path: String) -> ChangerNode? {
        changers.first { $0.genericNode == path || $0.changerNode == path || $0.links.contains(path) }
    }
}
