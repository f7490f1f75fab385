import BaculaWire

/// One command frame a Director sends to the SD (spec §3.3, §3.3.6), dispatched by prefix as the SD does.
///
/// Provenance of each form: [WIRE] = seen in the captures and round-tripped byte-for-byte by the tests (the device
/// and autochanger commands in Tests/StorageProtocolTests/Fixtures/device-commands, captured between a real 9.6.7
/// Director and SD); [SRC] = named by the spec without a captured example.
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
    /// [WIRE] `label %s VolumeName=%s PoolName=%s MediaType=%s Slot=%d drive=%d` (no newline).
    case label(LabelCommand)
    /// [WIRE] `relabel %s OldName=%s NewName=%s PoolName=%s MediaType=%s Slot=%d drive=%d` (no newline).
    case relabel(LabelCommand, oldName: String)
    /// [WIRE] `mount %s drive=%d slot=%d\n` (console) or without the newline (after `label`/`relabel`).
    case mount(DriveCommand)
    /// [WIRE] `unmount %s drive=%d slot=%d\n`.
    case unmount(DriveCommand)
    /// [WIRE] `release %s drive=%d slot=%d\n`.
    case release(DriveCommand)
    /// [WIRE] `readlabel %s Slot=%d drive=%d\n` (`update slots scan`, one per slot).
    case readLabel(device: String, slot: Int32, drive: Int32)
    /// [WIRE] `autochanger slots %s\n`, `autochanger list %s \n`, `autochanger listall %s \n`; [SRC] `drives`.
    case autochanger(AutochangerCommand)
    /// [SRC] `client address=%s port=%d ssl=%d\n` (SD calls client).
    case client(address: String, port: Int32, ssl: Int32)
    /// [WIRE] `storage address=%s port=%d ssl=%d Job=%s Authentication=%s\n`: the write job of a Copy or Migrate
    /// connects to the SD at that address as a client and authenticates with the read job's name and key.
    case storage(StoragePeerCommand)
    /// [SRC] Any other verb the SD knows (other `autochanger` actions, `enable`, `disable`, `setdebug=`, `storage`,
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
        case .storage: return "storage"
        case .autochanger: return "autochanger"
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
            self = .mount(try DriveCommand(parsing: bytes, verb: "mount"))
        } else if has("unmount") {
            self = .unmount(try DriveCommand(parsing: bytes, verb: "unmount"))
        } else if has("release") {
            self = .release(try DriveCommand(parsing: bytes, verb: "release"))
        } else if has("readlabel") {
            var fields = try ScannedFields(bytes, format: "readlabel %127s Slot=%d drive=%d", kind: "readlabel command")
            self = .readLabel(device: try fields.name(), slot: try fields.integer(), drive: try fields.integer())
        } else if has("client address=") {
            var fields = try ScannedFields(
                bytes, format: "client address=%255s port=%d ssl=%d", kind: "client command")
            self = .client(address: try fields.raw(), port: try fields.integer(), ssl: try fields.integer())
        } else if has("storage address=") {
            var fields = try ScannedFields(
                bytes, format: "storage address=%255s port=%d ssl=%d Job=%127s Authentication=%127s",
                kind: "storage command")
            self = .storage(
                StoragePeerCommand(
                    address: try fields.raw(), port: try fields.integer(), ssl: try fields.integer(),
                    job: try fields.name(), authentication: try fields.raw()))
        } else if has("autochanger "), let command = try AutochangerCommand(parsing: bytes) {
            self = .autochanger(command)
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
                    + "MediaType=\(bash(label.mediaType)) Slot=\(label.slot) drive=\(label.drive)")
        case .relabel(let label, let oldName):
            return Line.bytes(
                "relabel \(bash(label.device)) OldName=\(bash(oldName)) NewName=\(bash(label.volumeName)) "
                    + "PoolName=\(bash(label.poolName)) MediaType=\(bash(label.mediaType)) Slot=\(label.slot) "
                    + "drive=\(label.drive)")
        case .mount(let command): return command.bytes(verb: "mount")
        case .unmount(let command): return command.bytes(verb: "unmount")
        case .release(let command): return command.bytes(verb: "release")
        case .readLabel(let device, let slot, let drive):
            return Line.bytes("readlabel \(bash(device)) Slot=\(slot) drive=\(drive)\n")
        case .client(let address, let port, let ssl):
            return Line.bytes("client address=\(address) port=\(port) ssl=\(ssl)\n")
        case .autochanger(let command): return command.bytes
        case .storage(let command): return command.bytes
        case .other(_, let line): return line
        }
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
