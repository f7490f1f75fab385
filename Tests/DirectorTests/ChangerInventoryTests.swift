import Director
import Testing

/// The pure parts of `update slots` / `label barcodes`: the SD's autochanger answers and the `slots=` selection.
@Suite struct ChangerInventoryTests {
    @Test func readsSlotCountAndBarcodesAndKeepsTheMessagesApart() throws {
        var inventory = ChangerInventory()
        let slots = try inventory.read(["3306 Issuing autochanger \"slots\" command.\n", "slots=4\n"])
        let list = try inventory.read([
            "3301 Issuing autochanger \"loaded? drive 0\" command.\n", "1:LIB001\n", "2:LIB:002\n", "4:\n",
        ])
        #expect(slots == ["3306 Issuing autochanger \"slots\" command.\n"])
        #expect(list.count == 1)
        // Slot 4 holds a cartridge without a barcode: full (for `update slots scan`), but nameless.
        #expect(
            inventory == ChangerInventory(slotCount: 4, barcodes: [1: "LIB001", 2: "LIB:002"], fullSlots: [1, 2, 4]))
        #expect(throws: (any Error).self) { try inventory.read(["slots=four\n"]) }
    }

    @Test func slotSelections() throws {
        #expect(try SlotSelection.parse(nil, slotCount: 3) == [1, 2, 3])
        #expect(try SlotSelection.parse("1-3,6,2", slotCount: 8) == [1, 2, 3, 6])
        for bad in ["0", "3-1", "a", "1-", "9", "1,,2"] {
            #expect(throws: SlotSelection.Invalid.self, "\(bad)") { try SlotSelection.parse(bad, slotCount: 8) }
        }
    }
}
