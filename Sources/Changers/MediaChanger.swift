/// One storage element of a library: a slot, an import/export slot or a drive, with the cartridge it holds.
public struct ChangerElement: Equatable, Sendable {
    public enum Kind: Sendable { case slot, importExport, drive, transport }
    public var kind: Kind
    /// The element address the library uses in MOVE MEDIUM.
    public var address: UInt16
    /// The barcode (primary volume tag) of the cartridge it holds, nil when empty or unlabelled.
    public var barcode: String?
    /// For drives: the serial number the library reports (DVCID), used to match the drive to its st node.
    public var driveSerial: String?
    /// The element holds a cartridge (with or without a barcode).
    public var full: Bool
    /// The element the cartridge came from, when the library knows.
    public var sourceAddress: UInt16?
    /// For drives whose DVCID reply was cut short (tgt): the part of the serial that arrived, for prefix matching.
    public var driveSerialPrefix: String?

    public init(
        kind: Kind, address: UInt16, barcode: String?, driveSerial: String? = nil, full: Bool? = nil,
        sourceAddress: UInt16? = nil, driveSerialPrefix: String? = nil
    ) {
        self.kind = kind
        self.address = address
        self.barcode = barcode
        self.driveSerial = driveSerial
        self.full = full ?? (barcode != nil)
        self.sourceAddress = sourceAddress
        self.driveSerialPrefix = driveSerialPrefix
    }
}

/// An autochanger: native SCSI over SG_IO, Bacula's changer-command script, or a virtual library.
/// Implementations run one operation at a time per library.
public protocol MediaChanger: Sendable {
    /// Reads every element with its cartridge.
    func inventory() async throws -> [ChangerElement]
    /// Moves the cartridge at `from` into `to`.
    func move(from: UInt16, to: UInt16) async throws
}

/// A request in mtx's numbering that the library cannot satisfy.
public struct ChangerRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

/// mtx's numbering on top of any changer: slots from 1 (storage slots in address order, then import/export
/// slots), drives from 0 in address order.
extension MediaChanger {
    public static func slots(_ elements: [ChangerElement]) -> [ChangerElement] {
        elements.filter { $0.kind == .slot }.sorted { $0.address < $1.address }
            + elements.filter { $0.kind == .importExport }.sorted { $0.address < $1.address }
    }

    public static func drives(_ elements: [ChangerElement]) -> [ChangerElement] {
        elements.filter { $0.kind == .drive }.sorted { $0.address < $1.address }
    }

    /// Moves the cartridge in `slot` (1-based) into `drive` (0-based).
    public func load(slot: Int, drive: Int) async throws {
        let elements = try await inventory()
        let from = try element(Self.slots(elements), slot - 1, "slot \(slot)")
        let to = try element(Self.drives(elements), drive, "drive \(drive)")
        try await move(from: from.address, to: to.address)
    }

    /// Moves the cartridge in `drive` to `slot`, or when nil to the slot it came from (if empty), else the first
    /// empty storage slot. Returns the slot number it went to.
    @discardableResult
    public func unload(drive: Int, slot: Int? = nil) async throws -> Int {
        let elements = try await inventory()
        let slots = Self.slots(elements)
        let from = try element(Self.drives(elements), drive, "drive \(drive)")
        guard from.full else { throw ChangerRequestError(description: "drive \(drive) is empty") }
        let index: Int
        if let slot {
            _ = try element(slots, slot - 1, "slot \(slot)")
            index = slot - 1
        } else if let home = slots.firstIndex(where: { $0.address == from.sourceAddress && !$0.full }) {
            index = home
        } else if let free = slots.firstIndex(where: { $0.kind == .slot && !$0.full }) {
            index = free
        } else {
            throw ChangerRequestError(description: "no empty slot for the cartridge in drive \(drive)")
        }
        try await move(from: from.address, to: slots[index].address)
        return index + 1
    }

    /// Moves a cartridge from slot `from` to slot `to` (1-based).
    public func transfer(from: Int, to: Int) async throws {
        let slots = Self.slots(try await inventory())
        let source = try element(slots, from - 1, "slot \(from)")
        let destination = try element(slots, to - 1, "slot \(to)")
        try await move(from: source.address, to: destination.address)
    }

    private func element(_ list: [ChangerElement], _ index: Int, _ what: String) throws -> ChangerElement {
        guard list.indices.contains(index) else {
            throw ChangerRequestError(description: "\(what) does not exist (the library has \(list.count))")
        }
        return list[index]
    }
}
