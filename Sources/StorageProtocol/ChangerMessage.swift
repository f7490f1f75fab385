/// The progress and error lines the 9.6 SD sends while it runs its changer script for a Director command (`33xx`,
/// `3992`) [WIRE: every form round-trips against the captures in Fixtures/device-commands]. The Director relays
/// them to the console; they come before the command's own answer, in the order the SD ran the script.
public enum ChangerMessage: Hashable, Sendable {
    /// `3301 Issuing autochanger "loaded? drive %d" command.\n`.
    case queryingLoaded(drive: Int32)
    /// `3302 Autochanger "loaded? drive %d", result is Slot %d.\n`, or with `slot` nil
    /// `3302 Autochanger "loaded? drive %d", result: nothing loaded.\n`.
    case loadedSlot(drive: Int32, slot: Int32?)
    /// `3304 Issuing autochanger "load Volume %s, Slot %d, Drive %d" command.\n` (volume empty when the SD does not
    /// know which volume the slot holds, e.g. for `mount` and `readlabel`).
    case loading(volume: String, slot: Int32, drive: Int32)
    /// `3305 Autochanger "load Volume %s, Slot %d, Drive %d", status is OK.\n`.
    case loadSucceeded(volume: String, slot: Int32, drive: Int32)
    /// `3306 Issuing autochanger "%s" command.\n` for `slots`, `list`, `listall`.
    case issuing(command: String)
    /// `3307 Issuing autochanger "unload Volume %s, Slot %d, Drive %d" command.\n` (volume `*Unknown*` when the SD
    /// has not read the cartridge's label).
    case unloading(volume: String, slot: Int32, drive: Int32)
    /// `3992 Bad autochanger "load Volume %s Slot %d, Drive %d": ERR=%s.\nResults=%s\n` (note: no comma after the
    /// volume). `error` is the exit description (`Child exited with code 1`); `results` is the script's output as
    /// captured, including its own final newline.
    case loadFailed(volume: String, slot: Int32, drive: Int32, error: String, results: String)

    private static let queryingTemplate = LineTemplate("3301 Issuing autochanger \"loaded? drive ", "\" command.\n")
    private static let loadedTemplate = LineTemplate(
        "3302 Autochanger \"loaded? drive ", "\", result is Slot ", ".\n")
    private static let emptyTemplate = LineTemplate(
        "3302 Autochanger \"loaded? drive ", "\", result: nothing loaded.\n")
    private static let loadingTemplate = LineTemplate(
        "3304 Issuing autochanger \"load Volume ", ", Slot ", ", Drive ", "\" command.\n")
    private static let loadedOKTemplate = LineTemplate(
        "3305 Autochanger \"load Volume ", ", Slot ", ", Drive ", "\", status is OK.\n")
    private static let issuingTemplate = LineTemplate("3306 Issuing autochanger \"", "\" command.\n")
    private static let unloadingTemplate = LineTemplate(
        "3307 Issuing autochanger \"unload Volume ", ", Slot ", ", Drive ", "\" command.\n")
    private static let failedTemplate = LineTemplate(
        "3992 Bad autochanger \"load Volume ", " Slot ", ", Drive ", "\": ERR=", ".\nResults=", "\n")

    /// The code prefixes this type reads; `init(parsing:)` throws for a line with one of them that does not match.
    static let prefixes = ["3301 ", "3302 ", "3304 ", "3305 ", "3306 ", "3307 ", "3992 Bad autochanger \"load "]

    /// True when `bytes` starts with one of this type's codes.
    static func claims(_ bytes: [UInt8]) -> Bool { prefixes.contains { Line.starts(bytes, with: $0) } }

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        let kind = "autochanger message"
        func number(_ text: String, _ name: String) throws(MessageError) -> Int32 {
            try CanonicalInteger.field(text, name: name, kind: kind, line: bytes)
        }
        if let f = Self.queryingTemplate.match(bytes) {
            self = .queryingLoaded(drive: try number(f[0], "drive"))
        } else if let f = Self.emptyTemplate.match(bytes) {
            self = .loadedSlot(drive: try number(f[0], "drive"), slot: nil)
        } else if let f = Self.loadedTemplate.match(bytes) {
            self = .loadedSlot(drive: try number(f[0], "drive"), slot: try number(f[1], "Slot"))
        } else if let f = Self.loadingTemplate.match(bytes) {
            self = .loading(volume: f[0], slot: try number(f[1], "Slot"), drive: try number(f[2], "Drive"))
        } else if let f = Self.loadedOKTemplate.match(bytes) {
            self = .loadSucceeded(volume: f[0], slot: try number(f[1], "Slot"), drive: try number(f[2], "Drive"))
        } else if let f = Self.issuingTemplate.match(bytes) {
            self = .issuing(command: f[0])
        } else if let f = Self.unloadingTemplate.match(bytes) {
            self = .unloading(volume: f[0], slot: try number(f[1], "Slot"), drive: try number(f[2], "Drive"))
        } else if let f = Self.failedTemplate.match(bytes) {
            self = .loadFailed(
                volume: f[0], slot: try number(f[1], "Slot"), drive: try number(f[2], "Drive"), error: f[3],
                results: f[4])
        } else {
            throw MessageError(kind: kind, reason: .unrecognized, line: bytes)
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .queryingLoaded(let drive): return Self.queryingTemplate.print(["\(drive)"])
        case .loadedSlot(let drive, nil): return Self.emptyTemplate.print(["\(drive)"])
        case .loadedSlot(let drive, let slot?): return Self.loadedTemplate.print(["\(drive)", "\(slot)"])
        case .loading(let volume, let slot, let drive):
            return Self.loadingTemplate.print([volume, "\(slot)", "\(drive)"])
        case .loadSucceeded(let volume, let slot, let drive):
            return Self.loadedOKTemplate.print([volume, "\(slot)", "\(drive)"])
        case .issuing(let command): return Self.issuingTemplate.print([command])
        case .unloading(let volume, let slot, let drive):
            return Self.unloadingTemplate.print([volume, "\(slot)", "\(drive)"])
        case .loadFailed(let volume, let slot, let drive, let error, let results):
            return Self.failedTemplate.print([volume, "\(slot)", "\(drive)", error, results])
        }
    }
}
