import StorageProtocol

/// What an SD reported of an autochanger for `update slots` and `label barcodes`: the slot count (`autochanger
/// slots`) and the barcode of each full slot (`autochanger list`), read from the SD's reply lines. SD messages
/// (`3306 Issuing ...`) are kept apart for the console; lines that are neither are errors naming the line.
public struct ChangerInventory: Sendable, Equatable {
    public var slotCount = 0
    /// Slot (from 1) → barcode, for full slots with a barcode.
    public var barcodes: [Int: String] = [:]
    /// Every slot that holds a cartridge, with or without a barcode.
    public var fullSlots: Set<Int> = []

    public init(slotCount: Int = 0, barcodes: [Int: String] = [:], fullSlots: Set<Int>? = nil) {
        self.slotCount = slotCount
        self.barcodes = barcodes
        self.fullSlots = fullSlots ?? Set(barcodes.keys)
    }

    /// Reads reply lines (each with or without its newline) into the inventory; returns the SD's messages.
    @discardableResult
    public mutating func read(_ lines: [String]) throws -> [String] {
        var messages: [String] = []
        for line in lines {
            let bytes = Array((line.hasSuffix("\n") ? line : line + "\n").utf8)
            if AutochangerOutput.isStorageMessage(bytes) {
                messages.append(line)
                continue
            }
            switch try AutochangerOutput(parsing: bytes) {
            case .slotCount(let count): slotCount = Int(count)
            case .slot(let slot, let barcode):
                fullSlots.insert(Int(slot))
                if !barcode.isEmpty { barcodes[Int(slot)] = barcode }
            case .storageSlot(let slot, let barcode?), .importExportSlot(let slot, let barcode?):
                fullSlots.insert(Int(slot))
                if !barcode.isEmpty { barcodes[Int(slot)] = barcode }
            default: break
            }
        }
        return messages
    }
}

/// A console's `slots=` selection (`1-4,6`), checked against the changer's slot count; nil or empty text is
/// every slot.
public enum SlotSelection {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String?, slotCount: Int) throws(Invalid) -> [Int] {
        guard let text, !text.isEmpty else { return slotCount > 0 ? Array(1...slotCount) : [] }
        var slots: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last ?? ""), low >= 1,
                low <= high
            else { throw Invalid(description: "Invalid slot range \"\(part)\" in slots=\(text).") }
            guard high <= slotCount else {
                throw Invalid(
                    description: "Slot \(high) in slots=\(text) is greater than the changer's \(slotCount) slots.")
            }
            slots += Array(low...high)
        }
        return Array(Set(slots)).sorted()
    }
}
