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
        if let last = ASCIIPath(parent)?.lastNonEmptyComponent() { return last }
        return parent.split(separator: "/").last.map(String.init)
    }

    /// `/sys/devices/.../0:0:0:1/scsi_tape/nst0` → `/sys/devices/.../0:0:0:1`: class devices of SCSI devices live
    /// two levels below them, which still holds on `remove`, when udev can no longer give the parent.
    /// An ASCII path (every sysfs path) is read from its end, byte by byte; the result is the same as splitting it.
    public static func parentFromSyspath(_ syspath: String) -> String? {
        if let path = ASCIIPath(syspath) { return path.parent() }
        return splitParentFromSyspath(syspath)
    }

    /// `parentFromSyspath` by splitting the path into its components (any text).
    static func splitParentFromSyspath(_ syspath: String) -> String? {
        let parts = syspath.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 2 else { return nil }
        let parent = parts.dropLast(2)
        guard let last = parent.last, last.split(separator: ":").count == 4 else { return nil }
        return parent.joined(separator: "/")
    }
}

/// A path of ASCII bytes, where each byte is a character (`/` and `:` never join another byte into one, as only
/// `"\r\n"` does among ASCII characters), so splitting at `/` and `:` can be done on bytes.
struct ASCIIPath {
    private let bytes: [UInt8]

    /// Nil when the path has a non-ASCII byte.
    init?(_ path: String) {
        let bytes = Array(path.utf8)
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        self.bytes = bytes
    }

    private static let slash = UInt8(ascii: "/")
    private static let colon = UInt8(ascii: ":")

    /// `UdevRecord.parentFromSyspath`: the path up to its second-last `/`, when there is one and the component
    /// before it is four non-empty `:`-separated parts.
    func parent() -> String? {
        guard let last = bytes.lastIndex(of: Self.slash),
            let secondLast = bytes[..<last].lastIndex(of: Self.slash)
        else { return nil }
        let componentStart = bytes[..<secondLast].lastIndex(of: Self.slash).map { $0 + 1 } ?? 0
        guard Self.nonEmptyParts(bytes[componentStart..<secondLast], separator: Self.colon) == 4 else { return nil }
        return String(decoding: bytes[..<secondLast], as: UTF8.self)
    }

    /// The last component that is not empty (`split(separator: "/").last`).
    func lastNonEmptyComponent() -> String? {
        var end = bytes.count
        while end > 0, bytes[end - 1] == Self.slash { end -= 1 }
        guard end > 0 else { return nil }
        let start = bytes[..<end].lastIndex(of: Self.slash).map { $0 + 1 } ?? 0
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// How many non-empty runs of bytes `separator` divides `bytes` into.
    private static func nonEmptyParts(_ bytes: ArraySlice<UInt8>, separator: UInt8) -> Int {
        var parts = 0
        var inPart = false
        for byte in bytes {
            if byte == separator {
                inPart = false
            } else if !inPart {
                inPart = true
                parts += 1
            }
        }
        return parts
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
