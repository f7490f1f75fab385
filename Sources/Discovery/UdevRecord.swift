/// What udev knows about one device node, copied out of libudev so the rest of the layer is pure.
public struct UdevRecord: Equatable, Sendable {
    /// `scsi_tape`, `scsi_generic` or `scsi_changer`.
    public var subsystem: String
    /// The kernel name (`nst0`, `sg3`, `sch0`).
    public var sysname: String
    public var syspath: String
    /// `/dev/nst0`; nil for the few class devices without a node.
    public var devnode: String?
    /// udev's properties (`ID_SCSI_SERIAL`, `ID_SERIAL`, `ID_VENDOR`, `ID_MODEL`, `DEVLINKS` ...).
    public var properties: [String: String]
    /// The parent SCSI device (`/sys/devices/.../0:0:0:1`); nil on `remove`, when the parent is already gone.
    public var scsiDevice: String?
    /// Attributes of the parent SCSI device (`vendor`, `model`, `rev`, `type`), trimmed.
    public var scsiAttributes: [String: String]

    public init(
        subsystem: String, sysname: String, syspath: String, devnode: String?, properties: [String: String] = [:],
        scsiDevice: String? = nil, scsiAttributes: [String: String] = [:]
    ) {
        self.subsystem = subsystem
        self.sysname = sysname
        self.syspath = syspath
        self.devnode = devnode
        self.properties = properties
        self.scsiDevice = scsiDevice
        self.scsiAttributes = scsiAttributes
    }

    /// The identity of the device behind the node: `ID_SCSI_SERIAL` (VPD page 80h), else `ID_SERIAL`.
    public var serial: String? { nonEmpty(properties["ID_SCSI_SERIAL"]) ?? nonEmpty(properties["ID_SERIAL"]) }

    /// The symbolic links udev made for the node (`DEVLINKS`).
    public var links: [String] { (properties["DEVLINKS"] ?? "").split(separator: " ").map(String.init).sorted() }

    /// The SCSI address `H:C:T:L` (the last component of the parent SCSI device's path).
    public var scsiAddress: String? {
        guard let parent = scsiDevice ?? Self.parentFromSyspath(syspath) else { return nil }
        return parent.split(separator: "/").last.map(String.init)
    }

    /// `/sys/devices/.../0:0:0:1/scsi_tape/nst0` → `/sys/devices/.../0:0:0:1`: class devices of SCSI devices live
    /// two levels below them, which still holds on `remove`, when udev can no longer give the parent.
    public static func parentFromSyspath(_ syspath: String) -> String? {
        let parts = syspath.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 2 else { return nil }
        let parent = parts.dropLast(2)
        guard let last = parent.last, last.split(separator: ":").count == 4 else { return nil }
        return parent.joined(separator: "/")
    }
}

func nonEmpty(_ s: String?) -> String? {
    guard let s, !s.isEmpty else { return nil }
    return s
}

/// An add or remove that the udev monitor saw.
public struct UdevEvent: Equatable, Sendable {
    public enum Action: String, Equatable, Sendable { case add, remove, change, bind, unbind, other }
    public var action: Action
    public var record: UdevRecord

    public init(action: Action, record: UdevRecord) {
        self.action = action
        self.record = record
    }
}
