import BaculaWire

/// One command frame a Director sends to the SD (spec §3.3, §3.3.6), dispatched by prefix as the SD does.
///
/// Provenance of each form: [WIRE] = seen in the captures and round-tripped byte-for-byte by the tests;
/// [SRC] = named by the spec without a captured example. The device commands' argument layouts (`label`, `relabel`,
/// `mount`, `unmount`, `release`, `readlabel`) are not given by the spec: they follow the 9.6 SD's scan formats as
/// best known and are UNVERIFIED on the wire — parse is lenient, but check them against a real Director before
/// relying on the exact print.
public enum DirectorCommand: Hashable, Sendable {
    /// [WIRE] `JobId=...\n`.
    case jobStart(JobStartCommand)
    /// [WIRE] `use storage=...\n`.
    case useStorage(UseStorageCommand)
    /// [WIRE] `use device=%s\n`.
    case useDevice(String)
    /// [WIRE] `bootstrap\n`; the bootstrap lines follow as frames, ended by EOD.
    case bootstrap
    /// [WIRE] `run` (no newline).
    case run
    /// [WIRE] `status` (no newline, console capture).
    case status
    /// [SRC] `.status %s` (arguments kept as sent, without the newline).
    case dotStatus(arguments: String)
    /// [WIRE] `cancel Job=%s\n`.
    case cancel(job: String)
    /// [SRC] `stop Job=%s\n`.
    case stop(job: String)
    /// [SRC, layout UNVERIFIED] `label %s VolumeName=%s PoolName=%s MediaType=%s Slot=%d drive=%d\n`.
    case label(LabelCommand)
    /// [SRC, layout UNVERIFIED] `relabel %s OldName=%s NewName=%s PoolName=%s MediaType=%s Slot=%d drive=%d\n`.
    case relabel(LabelCommand, oldName: String)
    /// [SRC, layout UNVERIFIED] `mount %s drive=%d` and `mount %s drive=%d slot=%d`.
    case mount(device: String, drive: Int32, slot: Int32?)
    /// [SRC, layout UNVERIFIED] `unmount %s drive=%d`.
    case unmount(device: String, drive: Int32)
    /// [SRC, layout UNVERIFIED] `release %s drive=%d`.
    case release(device: String, drive: Int32)
    /// [SRC, layout UNVERIFIED] `readlabel %s Slot=%d drive=%d\n`.
    case readLabel(device: String, slot: Int32, drive: Int32)
    /// [SRC] `client address=%s port=%d ssl=%d\n` (SD calls client).
    case client(address: String, port: Int32, ssl: Int32)
    /// [SRC] Any other verb the SD knows (`autochanger`, `enable`, `disable`, `setdebug=`, `storage`,
    /// `statistics`, `.die`, ...): kept as sent so it prints back byte-for-byte.
    case other(verb: String, line: [UInt8])

    /// The verb the SD dispatched on; used in errors.
    public var verb: String {
        switch self {
        case .jobStart: return "JobId="
        case .useStorage: return "use storage="
        case .useDevice: return "use device="
        case .bootstrap: return "bootstrap"
        case .run: return "run"
        case .status: return "status"
        case .dotStatus: return ".status"
        case .cancel: return "cancel"
        case .stop: return "stop"
        case .label: return "label"
        case .relabel: return "relabel"
        case .mount: return "mount"
        case .unmount: return "unmount"
        case .release: return "release"
        case .readLabel: return "readlabel"
        case .client: return "client"
        case .other(let verb, _): return verb
        }
    }

    /// Verbs the 9.6 SD knows besides the ones with their own case (spec §3.3.6).
    static let otherVerbs = [
        "autochanger", "enable", "disable", "setdebug=", "storage ", "statistics", ".die", "setbandwidth=",
        "replicate", "proxy", "restore ", "cloud",
    ]

    /// Parses one command frame; `.unrecognized` for anything the SD would answer with `3900 Invalid command`.
    public init(parsing bytes: [UInt8]) throws(MessageError) {
        func has(_ prefix: String) -> Bool { Line.starts(bytes, with: prefix) }
        if has("JobId=") {
            self = .jobStart(try JobStartCommand(parsing: bytes))
        } else if has("use storage=") {
            self = .useStorage(try UseStorageCommand(parsing: bytes))
        } else if has("use device=") {
            var fields = try ScannedFields(bytes, format: "use device=%127s", kind: "use device command")
            self = .useDevice(try fields.name())
        } else if has("bootstrap") {
            self = .bootstrap
        } else if has("run") {
            self = .run
        } else if has(".status") {
            self = .dotStatus(arguments: Line.text(Line.rest(bytes, after: ".status")).trimmingLeadingSpace())
        } else if has("status") {
            self = .status
        } else if has("cancel") {
            var fields = try ScannedFields(bytes, format: "cancel Job=%127s", kind: "cancel command")
            self = .cancel(job: try fields.name())
        } else if has("stop") {
            var fields = try ScannedFields(bytes, format: "stop Job=%127s", kind: "stop command")
            self = .stop(job: try fields.name())
        } else if has("relabel") {
            var fields = try ScannedFields(
                bytes,
                format: "relabel %127s OldName=%127s NewName=%127s PoolName=%127s MediaType=%127s Slot=%d drive=%d",
                kind: "relabel command")
            let device = try fields.name()
            let oldName = try fields.name()
            self = .relabel(
                LabelCommand(
                    device: device, volumeName: try fields.name(), poolName: try fields.name(),
                    mediaType: try fields.name(), slot: try fields.integer(), drive: try fields.integer()),
                oldName: oldName)
        } else if has("label") {
            var fields = try ScannedFields(
                bytes, format: "label %127s VolumeName=%127s PoolName=%127s MediaType=%127s Slot=%d drive=%d",
                kind: "label command")
            self = .label(
                LabelCommand(
                    device: try fields.name(), volumeName: try fields.name(), poolName: try fields.name(),
                    mediaType: try fields.name(), slot: try fields.integer(), drive: try fields.integer()))
        } else if has("mount") {
            var fields = try ScannedFields(bytes, format: "mount %127s drive=%d", kind: "mount command")
            let device = try fields.name()
            let drive: Int32 = try fields.integer()
            var slot: Int32?
            if let values = BScanf.scan(bytes, format: "mount %127s drive=%d slot=%d"), let value = values[2].number {
                slot = Int32(exactly: value)
            }
            self = .mount(device: device, drive: drive, slot: slot)
        } else if has("unmount") {
            var fields = try ScannedFields(bytes, format: "unmount %127s drive=%d", kind: "unmount command")
            self = .unmount(device: try fields.name(), drive: try fields.integer())
        } else if has("release") {
            var fields = try ScannedFields(bytes, format: "release %127s drive=%d", kind: "release command")
            self = .release(device: try fields.name(), drive: try fields.integer())
        } else if has("readlabel") {
            var fields = try ScannedFields(bytes, format: "readlabel %127s Slot=%d drive=%d", kind: "readlabel command")
            self = .readLabel(device: try fields.name(), slot: try fields.integer(), drive: try fields.integer())
        } else if has("client address=") {
            var fields = try ScannedFields(
                bytes, format: "client address=%255s port=%d ssl=%d", kind: "client command")
            self = .client(address: try fields.raw(), port: try fields.integer(), ssl: try fields.integer())
        } else if let verb = Self.otherVerbs.first(where: { has($0) }) {
            self = .other(verb: verb.trimmingTrailingSpace(), line: bytes)
        } else {
            throw MessageError(kind: "Director command", reason: .unrecognized, line: bytes)
        }
    }

    /// The frame payload, byte-exact for the [WIRE] forms.
    public var bytes: [UInt8] {
        let bash = BashedName.bash
        switch self {
        case .jobStart(let command): return command.bytes
        case .useStorage(let command): return command.bytes
        case .useDevice(let name): return Line.bytes("use device=\(bash(name))\n")
        case .bootstrap: return Line.bytes("bootstrap\n")
        case .run: return Line.bytes("run")
        case .status: return Line.bytes("status")
        case .dotStatus(let arguments): return Line.bytes(".status \(arguments)\n")
        case .cancel(let job): return Line.bytes("cancel Job=\(bash(job))\n")
        case .stop(let job): return Line.bytes("stop Job=\(bash(job))\n")
        case .label(let label):
            return Line.bytes(
                "label \(bash(label.device)) VolumeName=\(bash(label.volumeName)) PoolName=\(bash(label.poolName)) "
                    + "MediaType=\(bash(label.mediaType)) Slot=\(label.slot) drive=\(label.drive)\n")
        case .relabel(let label, let oldName):
            return Line.bytes(
                "relabel \(bash(label.device)) OldName=\(bash(oldName)) NewName=\(bash(label.volumeName)) "
                    + "PoolName=\(bash(label.poolName)) MediaType=\(bash(label.mediaType)) Slot=\(label.slot) "
                    + "drive=\(label.drive)\n")
        case .mount(let device, let drive, let slot):
            return Line.bytes("mount \(bash(device)) drive=\(drive)" + (slot.map { " slot=\($0)" } ?? ""))
        case .unmount(let device, let drive): return Line.bytes("unmount \(bash(device)) drive=\(drive)")
        case .release(let device, let drive): return Line.bytes("release \(bash(device)) drive=\(drive)")
        case .readLabel(let device, let slot, let drive):
            return Line.bytes("readlabel \(bash(device)) Slot=\(slot) drive=\(drive)\n")
        case .client(let address, let port, let ssl):
            return Line.bytes("client address=\(address) port=\(port) ssl=\(ssl)\n")
        case .other(_, let line): return line
        }
    }
}

/// The arguments of `label` and `relabel` (the new volume's name, pool and media type, where it is).
public struct LabelCommand: Hashable, Sendable {
    public var device: String
    public var volumeName: String
    public var poolName: String
    public var mediaType: String
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

extension String {
    func trimmingLeadingSpace() -> String { String(drop { $0 == " " }) }
    func trimmingTrailingSpace() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
