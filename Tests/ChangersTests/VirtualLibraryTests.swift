import Changers
import Foundation
import TapeDevices
import Testing

/// The virtual library: cartridges as vtape images moved into drive paths, state persisted in library.json.
@Suite struct VirtualLibraryTests {
    func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("capstan-vlib-\(UUID().uuidString)").path
    }

    func make(_ dir: String, slots: Int = 4, ie: Int = 1, barcodes: [String] = ["CAP001", "CAP002", "CAP003"]) throws -> VirtualLibrary {
        try VirtualLibrary.create(
            directory: dir,
            layout: .init(slots: slots, importExport: ie, barcodes: barcodes, drives: [dir + "/drive0", dir + "/drive1"]))
    }

    @Test func newLibraryHasItsSlotsBarcodesAndEmptyDrives() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let library = try make(dir)
        let elements = try await library.inventory()
        #expect(VirtualLibrary.slots(elements).map(\.barcode) == ["CAP001", "CAP002", "CAP003", nil, nil])
        #expect(VirtualLibrary.slots(elements).last?.kind == .importExport)
        #expect(VirtualLibrary.drives(elements).map(\.full) == [false, false])
        #expect(try VolumeContainer.detect(path: dir + "/cartridges/CAP002.vtape") == .vtape)
        #expect(throws: VirtualLibrary.LibraryError.self) { try make(dir) }
    }

    @Test func loadWriteUnloadAndReloadKeepsTheData() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let library = try make(dir)
        try await library.load(slot: 2, drive: 1)
        let tape = try VirtualTape(path: dir + "/drive1", writable: true)
        try [UInt8](repeating: 7, count: 1000).withUnsafeBytes { try tape.writeBlock($0) }
        try tape.close()
        let home = try await library.unload(drive: 1)
        #expect(home == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/drive1"))
        // a second instance (another process would do the same) sees the persisted state
        let again = VirtualLibrary(directory: dir)
        try await again.load(slot: 2, drive: 0)
        let elements = try await again.inventory()
        #expect(VirtualLibrary.drives(elements).map(\.barcode) == ["CAP002", nil])
        #expect(VirtualLibrary.drives(elements).first?.sourceAddress == VirtualLibrary.slotBase + 1)
        let reread = try VirtualTape(path: dir + "/drive0", writable: false)
        #expect(try reread.readBlock()?.count == 1000)
    }

    @Test func transferToImportExportAndErrors() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let library = try make(dir)
        try await library.transfer(from: 1, to: 5)  // slot 5 = the import/export slot
        var slots = VirtualLibrary.slots(try await library.inventory())
        #expect(slots.map(\.barcode) == [nil, "CAP002", "CAP003", nil, "CAP001"])
        await #expect(throws: VirtualLibrary.LibraryError.self) { try await library.load(slot: 1, drive: 0) }  // empty
        try await library.load(slot: 2, drive: 0)
        await #expect(throws: VirtualLibrary.LibraryError.self) { try await library.load(slot: 3, drive: 0) }  // full
        await #expect(throws: ChangerRequestError.self) { try await library.load(slot: 9, drive: 0) }
        slots = VirtualLibrary.slots(try await library.inventory())
        #expect(slots.map(\.barcode) == [nil, nil, "CAP003", nil, "CAP001"])
        let state = try await library.state()
        #expect(state.drives.map(\.barcode) == ["CAP002", nil])
    }

    @Test func concurrentOperationsRunOneAtATime() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try make(dir, slots: 4, ie: 0, barcodes: ["A1", "A2", "A3", "A4"])
        let b = VirtualLibrary(directory: dir)  // a second handle on the same library: serialised by the lock file
        async let first: Void = a.load(slot: 1, drive: 0)
        async let second: Void = b.load(slot: 2, drive: 1)
        _ = try await (first, second)
        let drives = VirtualLibrary.drives(try await a.inventory())
        #expect(Set(drives.compactMap(\.barcode)) == ["A1", "A2"])
    }
}
