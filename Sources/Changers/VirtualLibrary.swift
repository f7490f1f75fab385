import Dispatch
import Foundation
import TapeDevices

#if canImport(Glibc)
import Glibc
#endif

/// A library of virtual cartridges for tests and the quick start (`Changer Device = "virtual:DIR"`).
///
/// Layout of DIR:
/// - `library.json`: the slots, import/export slots and drives, with the barcode each holds (the state);
/// - `cartridges/<barcode>.vtape`: every cartridge that is not in a drive, a `VirtualTape` image;
/// - the drives: each drive is a path (its Device's Archive Device, inside DIR so renames stay on one file system).
///   Loading renames the cartridge's image to that path; unloading renames it back. An empty drive has no file.
///
/// Element addresses: drives 500..., import/export slots 10..., storage slots 1000... (as tgt's library).
/// One operation at a time: the actor runs each whole on its serial queue, under an exclusive `flock` on
/// `DIR/library.lock`, so `capstan changer` and capstan-sd can share the library.
public actor VirtualLibrary: MediaChanger {
    /// The persisted state.
    public struct State: Codable, Equatable, Sendable {
        public struct Drive: Codable, Equatable, Sendable {
            public var path: String
            public var barcode: String?
            /// Slot address the cartridge came from.
            public var source: UInt16?
        }

        public var slots: [String?]
        public var importExport: [String?]
        public var drives: [Drive]
    }

    /// What a new library holds.
    public struct Layout: Equatable, Sendable {
        public var slots: Int
        public var importExport: Int
        /// Cartridges put in the first slots, one per barcode.
        public var barcodes: [String]
        /// Drive paths (Archive Devices), in drive order.
        public var drives: [String]

        public init(slots: Int, importExport: Int = 0, barcodes: [String], drives: [String]) {
            self.slots = slots
            self.importExport = importExport
            self.barcodes = barcodes
            self.drives = drives
        }
    }

    public struct LibraryError: Error, Equatable, Sendable, CustomStringConvertible {
        public var directory: String
        public var problem: String
        public var description: String { "virtual library \(directory): \(problem)" }
    }

    public static let driveBase: UInt16 = 500
    public static let importExportBase: UInt16 = 10
    public static let slotBase: UInt16 = 1000
    static let maximumElements = 10_000

    public let directory: String
    private let queue: DispatchQueue

    /// Opens the library in `directory` (created by `create` or `openOrCreate`).
    public init(directory: String) {
        self.directory = directory
        queue = DispatchQueue(label: "capstan.virtual-library.\(directory)")
    }

    /// Creates a new library: the state file and a blank cartridge image per barcode. Fails if one exists.
    public static func create(directory: String, layout: Layout) throws -> VirtualLibrary {
        let fm = FileManager.default
        guard layout.slots >= 0, layout.importExport >= 0, layout.slots + layout.importExport <= maximumElements,
            layout.drives.count <= 500
        else { throw LibraryError(directory: directory, problem: "at most \(maximumElements) slots and 500 drives") }
        guard layout.barcodes.count <= layout.slots else {
            throw LibraryError(directory: directory, problem: "\(layout.barcodes.count) cartridges for \(layout.slots) slots")
        }
        guard Set(layout.barcodes).count == layout.barcodes.count, layout.barcodes.allSatisfy(isValidBarcode) else {
            throw LibraryError(directory: directory, problem: "barcodes must be unique, without / or blanks")
        }
        guard !fm.fileExists(atPath: directory + "/library.json") else {
            throw LibraryError(directory: directory, problem: "a library already exists here")
        }
        try fm.createDirectory(atPath: directory + "/cartridges", withIntermediateDirectories: true)
        for barcode in layout.barcodes {
            let tape = try VirtualTape(path: cartridgePath(directory, barcode), writable: true)
            try tape.close()
        }
        let state = State(
            slots: (0..<layout.slots).map { $0 < layout.barcodes.count ? layout.barcodes[$0] : nil },
            importExport: Array(repeating: nil, count: layout.importExport),
            drives: layout.drives.map { State.Drive(path: $0, barcode: nil, source: nil) })
        try save(state, directory)
        return VirtualLibrary(directory: directory)
    }

    /// Opens the library in `directory`, creating it with `layout` when it has none yet.
    public static func openOrCreate(directory: String, layout: Layout) throws -> VirtualLibrary {
        if FileManager.default.fileExists(atPath: directory + "/library.json") { return VirtualLibrary(directory: directory) }
        return try create(directory: directory, layout: layout)
    }

    static func isValidBarcode(_ b: String) -> Bool {
        !b.isEmpty && b.count <= 32 && !b.contains("/") && !b.contains(" ") && b != "." && b != ".."
    }

    static func cartridgePath(_ directory: String, _ barcode: String) -> String { "\(directory)/cartridges/\(barcode).vtape" }

    /// The state as stored now.
    public func state() async throws -> State { try await locked { $0 } }

    // MARK: MediaChanger

    public func inventory() async throws -> [ChangerElement] {
        try await locked { state in
            var out: [ChangerElement] = []
            for (i, b) in state.slots.enumerated() {
                out.append(ChangerElement(kind: .slot, address: Self.slotBase + UInt16(i), barcode: b))
            }
            for (i, b) in state.importExport.enumerated() {
                out.append(ChangerElement(kind: .importExport, address: Self.importExportBase + UInt16(i), barcode: b))
            }
            for (i, d) in state.drives.enumerated() {
                out.append(
                    ChangerElement(
                        kind: .drive, address: Self.driveBase + UInt16(i), barcode: d.barcode, driveSerial: nil,
                        full: d.barcode != nil, sourceAddress: d.source))
            }
            return out
        }
    }

    public func move(from: UInt16, to: UInt16) async throws {
        let directory = self.directory
        try await locked { (state: inout State) in
            let source = try Self.element(from, in: state, directory)
            let destination = try Self.element(to, in: state, directory)
            guard let barcode = Self.barcode(at: source, in: state) else {
                throw LibraryError(directory: directory, problem: "source element \(from) is empty")
            }
            guard Self.barcode(at: destination, in: state) == nil else {
                throw LibraryError(directory: directory, problem: "destination element \(to) is full")
            }
            // Files first (a rename is atomic), then the state.
            switch (source, destination) {
            case (.drive(let d), .drive(let e)):
                try Self.rename(state.drives[d].path, state.drives[e].path, directory)
            case (.drive(let d), _):
                try Self.rename(state.drives[d].path, Self.cartridgePath(directory, barcode), directory)
            case (_, .drive(let e)):
                guard !FileManager.default.fileExists(atPath: state.drives[e].path) else {
                    throw LibraryError(directory: directory, problem: "drive file \(state.drives[e].path) exists although the drive is empty")
                }
                try Self.rename(Self.cartridgePath(directory, barcode), state.drives[e].path, directory)
            default:
                break
            }
            let origin: UInt16? = {
                if case .drive(let d) = source { return state.drives[d].source }
                return from
            }()
            Self.set(source, nil, in: &state)
            Self.set(destination, barcode, in: &state)
            if case .drive(let e) = destination { state.drives[e].source = origin }
            if case .drive(let d) = source { state.drives[d].source = nil }
        }
    }

    /// Puts a new blank cartridge labelled `barcode` into the first empty storage slot (a virtual library can make
    /// tapes: the Storage daemon does this when the Director names a new volume for a device with Label Media).
    /// Returns the slot number (mtx numbering, from 1).
    public func insertBlankCartridge(barcode: String) async throws -> Int {
        let directory = self.directory
        return try await locked { (state: inout State) in
            guard Self.isValidBarcode(barcode) else {
                throw LibraryError(directory: directory, problem: "\"\(barcode)\" cannot be a barcode")
            }
            guard !state.slots.contains(barcode), !state.importExport.contains(barcode),
                !state.drives.contains(where: { $0.barcode == barcode })
            else { throw LibraryError(directory: directory, problem: "barcode \(barcode) is already in the library") }
            guard let slot = state.slots.firstIndex(where: { $0 == nil }) else {
                throw LibraryError(directory: directory, problem: "no empty slot for a new cartridge \(barcode)")
            }
            let tape = try VirtualTape(path: Self.cartridgePath(directory, barcode), writable: true)
            try tape.close()
            state.slots[slot] = barcode
            return slot + 1
        }
    }

    // MARK: internals

    enum Element { case slot(Int), importExport(Int), drive(Int) }

    static func element(_ address: UInt16, in s: State, _ directory: String) throws -> Element {
        if address >= slotBase, Int(address - slotBase) < s.slots.count { return .slot(Int(address - slotBase)) }
        if address >= driveBase, Int(address - driveBase) < s.drives.count { return .drive(Int(address - driveBase)) }
        if address >= importExportBase, Int(address - importExportBase) < s.importExport.count {
            return .importExport(Int(address - importExportBase))
        }
        throw LibraryError(directory: directory, problem: "no element at address \(address)")
    }

    static func barcode(at e: Element, in s: State) -> String? {
        switch e {
        case .slot(let i): s.slots[i]
        case .importExport(let i): s.importExport[i]
        case .drive(let i): s.drives[i].barcode
        }
    }

    static func set(_ e: Element, _ barcode: String?, in s: inout State) {
        switch e {
        case .slot(let i): s.slots[i] = barcode
        case .importExport(let i): s.importExport[i] = barcode
        case .drive(let i): s.drives[i].barcode = barcode
        }
    }

    static func rename(_ from: String, _ to: String, _ directory: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            let code = errno
            throw LibraryError(directory: directory, problem: "rename \(from) → \(to): \(String(cString: strerror(code)))")
        }
    }

    static func load(_ directory: String) throws -> State {
        let url = URL(fileURLWithPath: directory + "/library.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LibraryError(directory: directory, problem: "no library.json (create the library first): \(error.localizedDescription)")
        }
        guard data.count < 16 << 20 else { throw LibraryError(directory: directory, problem: "library.json is too large") }
        let state: State
        do { state = try JSONDecoder().decode(State.self, from: data) } catch {
            throw LibraryError(directory: directory, problem: "library.json is damaged: \(error)")
        }
        guard state.slots.count + state.importExport.count <= maximumElements, state.drives.count <= 500 else {
            throw LibraryError(directory: directory, problem: "library.json lists too many elements")
        }
        return state
    }

    static func save(_ state: State, _ directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(state).write(to: URL(fileURLWithPath: directory + "/library.json"), options: .atomic)
    }

    /// Runs `body` on the library's queue under the lock file, with the state loaded; saves it if `body` changed it.
    private func locked<T: Sendable>(_ body: @escaping @Sendable (inout State) throws -> T) async throws -> T {
        let directory = self.directory
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        let fd = Glibc.open(directory + "/library.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                        guard fd >= 0 else {
                            throw LibraryError(directory: directory, problem: "cannot open library.lock: \(String(cString: strerror(errno)))")
                        }
                        defer { Glibc.close(fd) }
                        while flock(fd, LOCK_EX) != 0 {
                            guard errno == EINTR else {
                                throw LibraryError(directory: directory, problem: "cannot lock library.lock: \(String(cString: strerror(errno)))")
                            }
                        }
                        var state = try Self.load(directory)
                        let before = state
                        let result = try body(&state)
                        if state != before { try Self.save(state, directory) }
                        return result
                    })
            }
        }
    }
}
