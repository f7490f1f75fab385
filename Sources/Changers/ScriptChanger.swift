/// A library driven through Bacula's `Changer Command` script interface (mtx-changer and friends), volume spec
/// §10.1. Inventory comes from `listall` (or, for scripts without it, `slots`, `list` and `loaded`); load, unload
/// and transfer run the script's own commands. One command at a time per library (this actor).
///
/// Element addresses in `inventory()` are the script's slot numbers for slots and import/export slots, and
/// `ScriptChanger.driveAddressBase + drive index` for drives.
public actor ScriptChanger: MediaChanger {
    public static let driveAddressBase: UInt16 = 0xF000

    public let commandLine: ChangerCommandLine
    public let changerDevice: String
    /// Archive Device of each drive, by Drive Index (`%a`).
    public let archiveDevices: [Int: String]
    /// Maximum Changer Wait, seconds.
    public let timeoutSeconds: Int

    public init(command: String, changerDevice: String, archiveDevices: [Int: String], timeoutSeconds: Int = 300) {
        commandLine = ChangerCommandLine(command)
        self.changerDevice = changerDevice
        self.archiveDevices = archiveDevices
        self.timeoutSeconds = timeoutSeconds
    }

    // MARK: the script's commands

    /// Runs one command; returns its standard output. Non-zero exit, signals and timeouts throw.
    @discardableResult
    public func run(_ command: String, slot: Int = 0, drive: Int = 0, archiveDevice: String? = nil) async throws -> String {
        let values = ChangerCommandLine.Values(
            changerDevice: changerDevice, command: command, slot: slot,
            archiveDevice: archiveDevice ?? archiveDevices[drive] ?? "", drive: drive)
        let line = commandLine.rendered(values)
        let outcome: ScriptRunner.Outcome
        do {
            outcome = try await ScriptRunner.run(commandLine.arguments(values), timeoutSeconds: timeoutSeconds)
        } catch {
            throw ChangerCommandError(commandLine: line, reason: .couldNotStart("\(error)"))
        }
        let output = outcome.output.trimmingBlanksAndNewlines
        let errors = outcome.errors.trimmingBlanksAndNewlines
        if outcome.timedOut {
            throw ChangerCommandError(commandLine: line, reason: .timedOut(seconds: timeoutSeconds), output: output, errors: errors)
        }
        if outcome.signalled {
            throw ChangerCommandError(commandLine: line, reason: .signalled(outcome.status), output: output, errors: errors)
        }
        guard outcome.status == 0 else {
            throw ChangerCommandError(commandLine: line, reason: .exited(outcome.status), output: output, errors: errors)
        }
        return outcome.output
    }

    private func parsed<T>(_ command: String, drive: Int = 0, _ parse: (String) throws(ChangerScriptOutput.FormatError) -> T)
        async throws -> T
    {
        let output = try await run(command, drive: drive)
        do {
            return try parse(output)
        } catch {
            let line = commandLine.rendered(
                .init(changerDevice: changerDevice, command: command, slot: 0, archiveDevice: archiveDevices[drive] ?? "", drive: drive))
            throw ChangerCommandError(commandLine: line, reason: .badOutput(error), output: output.trimmingBlanksAndNewlines)
        }
    }

    /// `loaded`: the slot whose cartridge is in `drive`, 0 when it is empty.
    public func loaded(drive: Int) async throws -> Int { try await parsed("loaded", drive: drive, ChangerScriptOutput.loaded) }

    /// `slots`: how many slots the library has.
    public func slotCount() async throws -> Int { try await parsed("slots", ChangerScriptOutput.slots) }

    /// `list`: the full slots with their barcodes (`slot:barcode`).
    public func list() async throws -> [(slot: Int, barcode: String?)] { try await parsed("list", ChangerScriptOutput.list) }

    /// `listall`.
    public func listAll() async throws -> [ChangerScriptOutput.ListAllEntry] { try await parsed("listall", ChangerScriptOutput.listAll) }

    // MARK: MediaChanger

    public func inventory() async throws -> [ChangerElement] {
        let entries: [ChangerScriptOutput.ListAllEntry]
        do {
            entries = try await listAll()
        } catch let error as ChangerCommandError where error.reason != .timedOut(seconds: timeoutSeconds) {
            entries = try await inventoryWithoutListAll()
        }
        return entries.map { entry in
            switch entry {
            case .drive(let n, let slot, let barcode, let full):
                ChangerElement(
                    kind: .drive, address: Self.driveAddressBase &+ UInt16(clamping: n), barcode: barcode, full: full,
                    sourceAddress: slot.map { UInt16(clamping: $0) })
            case .slot(let n, let barcode, let full):
                ChangerElement(kind: .slot, address: UInt16(clamping: n), barcode: barcode, full: full)
            case .importExport(let n, let barcode, let full):
                ChangerElement(kind: .importExport, address: UInt16(clamping: n), barcode: barcode, full: full)
            }
        }
    }

    /// For scripts that know only `slots`, `list` and `loaded`: the configured drives, and slots 1...slots.
    private func inventoryWithoutListAll() async throws -> [ChangerScriptOutput.ListAllEntry] {
        let count = try await slotCount()
        let full = try await list()
        var inDrive: [Int: Int] = [:]
        var out: [ChangerScriptOutput.ListAllEntry] = []
        for drive in archiveDevices.keys.sorted() {
            let slot = try await loaded(drive: drive)
            if slot > 0 { inDrive[slot] = drive }
            let barcode = full.first { $0.slot == slot }?.barcode
            out.append(.drive(drive, slot: slot > 0 ? slot : nil, barcode: slot > 0 ? barcode : nil, full: slot > 0))
        }
        for slot in 1...max(1, count) where count > 0 {
            let entry = full.first { $0.slot == slot && inDrive[slot] == nil }
            out.append(.slot(slot, barcode: entry?.barcode, full: entry != nil))
        }
        return out
    }

    /// Slot → drive is `load`, drive → slot is `unload`, slot → slot is `transfer` (destination in the 4th
    /// argument, where mtx-changer reads it).
    public func move(from: UInt16, to: UInt16) async throws {
        let base = Self.driveAddressBase
        switch (from >= base, to >= base) {
        case (false, true):
            let drive = Int(to - base)
            try await run("load", slot: Int(from), drive: drive)
        case (true, false):
            let drive = Int(from - base)
            try await run("unload", slot: Int(to), drive: drive)
        case (false, false):
            try await run("transfer", slot: Int(from), archiveDevice: String(to))
        case (true, true):
            throw ChangerCommandError(
                commandLine: commandLine.template, reason: .request("the script interface cannot move drive to drive"))
        }
    }
}

extension String {
    var trimmingBlanksAndNewlines: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
