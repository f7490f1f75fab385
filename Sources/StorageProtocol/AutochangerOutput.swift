/// The data lines the SD sends in answer to `autochanger slots|drives|list|listall` (spec §10.1, §10.3), between
/// the `33xx` progress messages and the closing EOD. They are only recognisable in that context: a line that
/// starts with four digits and a space is an SD message instead (`isStorageMessage`), which is the rule the
/// Director applies. [WIRE] forms round-trip against Fixtures/device-commands; [SRC] ones follow the spec.
public enum AutochangerOutput: Hashable, Sendable {
    /// [WIRE] `slots=%d\n`, the answer to `autochanger slots`.
    case slotCount(Int32)
    /// [SRC] `drives=%d\n`, the answer to `autochanger drives`.
    case driveCount(Int32)
    /// [WIRE] `%d:%s\n`, one full slot of `autochanger list` (the barcode may be empty).
    case slot(Int32, barcode: String)
    /// [WIRE] `D:%d:F:%d:%s\n` (a cartridge from `slot`, barcode) or `D:%d:E\n`: a drive of `autochanger listall`.
    case drive(Int32, loaded: LoadedCartridge?)
    /// [WIRE] `S:%d:F:%s\n` or `S:%d:E\n` (`barcode` nil): a storage slot of `autochanger listall`.
    case storageSlot(Int32, barcode: String?)
    /// [SRC] `I:%d:F:%s\n` or `I:%d:E\n`: an import/export slot of `autochanger listall`.
    case importExportSlot(Int32, barcode: String?)

    /// What a full drive holds in a `listall` line.
    public struct LoadedCartridge: Hashable, Sendable {
        /// The storage slot the cartridge came from.
        public var slot: Int32
        public var barcode: String

        public init(slot: Int32, barcode: String) {
            self.slot = slot
            self.barcode = barcode
        }
    }

    /// True when the line is an SD message: four digits then a space (`3306 Issuing ...`); the Director relays
    /// those and does not read them as changer output.
    public static func isStorageMessage(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 5 && bytes.prefix(4).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && bytes[4] == UInt8(ascii: " ")
    }

    private static let kind = "autochanger output line"

    public init(parsing bytes: [UInt8]) throws(MessageError) {
        guard bytes.last == 0x0A, let text = String(validating: bytes.dropLast(), as: UTF8.self) else {
            throw MessageError(kind: Self.kind, reason: .unrecognized, line: bytes)
        }
        func number(_ field: Substring, _ name: String) throws(MessageError) -> Int32 {
            try CanonicalInteger.field(String(field), name: name, kind: Self.kind, line: bytes)
        }
        if text.hasPrefix("slots=") {
            self = .slotCount(try number(text.dropFirst(6), "slots"))
            return
        }
        if text.hasPrefix("drives=") {
            self = .driveCount(try number(text.dropFirst(7), "drives"))
            return
        }
        // Every other form has a colon; a line without a colon byte has no ":" character (saves two walks over the
        // line's characters, for every line the SD tries this parser on).
        guard bytes.contains(UInt8(ascii: ":")) else {
            throw MessageError(kind: Self.kind, reason: .unrecognized, line: bytes)
        }
        // The barcode is the rest of the line (it may itself hold a colon).
        let parts = text.split(
            separator: ":", maxSplits: text.hasPrefix("D:") ? 4 : 3, omittingEmptySubsequences: false)
        switch (parts.first, parts.count) {
        case ("D", 3) where parts[2] == "E":
            self = .drive(try number(parts[1], "drive"), loaded: nil)
        case ("D", 5) where parts[2] == "F":
            self = .drive(
                try number(parts[1], "drive"),
                loaded: LoadedCartridge(slot: try number(parts[3], "slot"), barcode: String(parts[4])))
        case ("S", 3) where parts[2] == "E", ("I", 3) where parts[2] == "E":
            let slot = try number(parts[1], "slot")
            self = parts[0] == "S" ? .storageSlot(slot, barcode: nil) : .importExportSlot(slot, barcode: nil)
        case ("S", 4) where parts[2] == "F", ("I", 4) where parts[2] == "F":
            let slot = try number(parts[1], "slot")
            let barcode = String(parts[3])
            self = parts[0] == "S" ? .storageSlot(slot, barcode: barcode) : .importExportSlot(slot, barcode: barcode)
        default:
            // `list`: slot:barcode, the barcode taken whole (it may itself hold a colon).
            guard let colon = text.firstIndex(of: ":") else {
                throw MessageError(kind: Self.kind, reason: .unrecognized, line: bytes)
            }
            self = .slot(try number(text[..<colon], "slot"), barcode: String(text[text.index(after: colon)...]))
        }
    }

    public var bytes: [UInt8] {
        let text: String
        switch self {
        case .slotCount(let count): text = "slots=\(count)"
        case .driveCount(let count): text = "drives=\(count)"
        case .slot(let slot, let barcode): text = "\(slot):\(barcode)"
        case .drive(let drive, nil): text = "D:\(drive):E"
        case .drive(let drive, let cartridge?): text = "D:\(drive):F:\(cartridge.slot):\(cartridge.barcode)"
        case .storageSlot(let slot, nil): text = "S:\(slot):E"
        case .storageSlot(let slot, let barcode?): text = "S:\(slot):F:\(barcode)"
        case .importExportSlot(let slot, nil): text = "I:\(slot):E"
        case .importExportSlot(let slot, let barcode?): text = "I:\(slot):F:\(barcode)"
        }
        return Line.bytes(text + "\n")
    }
}
