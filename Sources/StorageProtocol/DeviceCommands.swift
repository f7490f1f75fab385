import BaculaWire

/// The arguments of `label` and `relabel` [WIRE]: the new volume's name, pool and media type, and where it is.
/// The 9.6 Director sends both lines without a newline:
/// `label %s VolumeName=%s PoolName=%s MediaType=%s Slot=%d drive=%d` and
/// `relabel %s OldName=%s NewName=%s PoolName=%s MediaType=%s Slot=%d drive=%d` (names bashed). `device` is the
/// Storage resource's `Device` — the Autochanger's name when the Director's Storage is an autochanger.
public struct LabelCommand: Hashable, Sendable {
    public var device: String
    public var volumeName: String
    public var poolName: String
    public var mediaType: String
    /// 0 when no slot was given (a drive without changer, or an operator-loaded tape).
    public var slot: Int32
    public var drive: Int32

    public init(device: String, volumeName: String, poolName: String, mediaType: String, slot: Int32, drive: Int32) {
        self.device = device
        self.volumeName = volumeName
        self.poolName = poolName
        self.mediaType = mediaType
        self.slot = slot
        self.drive = drive
    }
}

/// The arguments of `mount`, `unmount` and `release` [WIRE]: `%s drive=%d slot=%d`, with a newline when the
/// console asked for the command, without one for the `mount` a Director sends after a successful `label` or
/// `relabel` on the same connection. The 9.6 Director always sends `slot=` (0 when none was given); an SD also
/// accepts the older form without it [SRC], which `slot == nil` stands for.
public struct DriveCommand: Hashable, Sendable {
    public var device: String
    public var drive: Int32
    public var slot: Int32?
    /// Whether the line ends with `\n` (the SD ignores it either way).
    public var endsWithNewline: Bool

    public init(device: String, drive: Int32, slot: Int32?, endsWithNewline: Bool = true) {
        self.device = device
        self.drive = drive
        self.slot = slot
        self.endsWithNewline = endsWithNewline
    }

    /// Parses `<verb> %s drive=%d[ slot=%d][\n]`.
    init(parsing bytes: [UInt8], verb: String) throws(MessageError) {
        let kind = "\(verb) command"
        var fields = try ScannedFields(bytes, format: "\(verb) %127s drive=%d", kind: kind)
        device = try fields.name()
        drive = try fields.integer()
        slot = nil
        if let values = BScanf.scan(bytes, format: "\(verb) %127s drive=%d slot=%d"), let value = values[2].number {
            guard let exact = Int32(exactly: value) else {
                throw MessageError(kind: kind, reason: .outOfRange(field: "slot", value: value), line: bytes)
            }
            slot = exact
        }
        endsWithNewline = bytes.last == 0x0A
    }

    func bytes(verb: String) -> [UInt8] {
        Line.bytes(
            "\(verb) \(BashedName.bash(device)) drive=\(drive)" + (slot.map { " slot=\($0)" } ?? "")
                + (endsWithNewline ? "\n" : ""))
    }
}

/// `autochanger <action> <device>` [WIRE]: the Director asks the SD to run its changer script's `slots`, `list` or
/// `listall` (and `drives` [SRC], answered from the configuration) for an Autochanger (or changer Device). The 9.6
/// Director sends `autochanger slots %s\n` but `autochanger list %s \n` and `autochanger listall %s \n` (a space
/// before the newline). The answer is 33xx progress lines (`ChangerMessage`), `AutochangerOutput` lines, then EOD.
public struct AutochangerCommand: Hashable, Sendable {
    public enum Action: String, Hashable, Sendable, CaseIterable {
        /// Answered by `slots=%d`.
        case slots
        /// [SRC] Answered by `drives=%d`.
        case drives
        /// Answered by `slot:barcode` lines.
        case list
        /// Answered by `D:`/`S:`/`I:` element lines.
        case listAll = "listall"

        /// The 9.6 Director's line ends with ` \n` for these.
        var spaceBeforeNewline: Bool { self == .list || self == .listAll }
    }

    public var action: Action
    public var device: String

    public init(action: Action, device: String) {
        self.action = action
        self.device = device
    }

    /// Parses `autochanger <action> %s`; nil for an action this type does not know (kept as `.other`).
    init?(parsing bytes: [UInt8]) throws(MessageError) {
        guard let head = BScanf.scan(bytes, format: "autochanger %31s"), let word = head[0].string,
            let action = Action(rawValue: word)
        else { return nil }
        var fields = try ScannedFields(bytes, format: "autochanger \(word) %127s", kind: "autochanger command")
        self.init(action: action, device: try fields.name())
    }

    public var bytes: [UInt8] {
        Line.bytes(
            "autochanger \(action.rawValue) \(BashedName.bash(device))" + (action.spaceBeforeNewline ? " \n" : "\n"))
    }
}
