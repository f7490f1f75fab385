import ArgumentParser
import CapstanConfig
import Changers
import Discovery
import Foundation

/// `capstan changer`: inventory and moves on a configured Autochanger (native SCSI, Changer Command script or
/// virtual library, as the configuration says), or — like `mtx -f` — on a medium changer udev shows, with no
/// configuration at all. mtx's numbering: slots from 1 (import/export slots after the storage slots), drives from 0.
struct ChangerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changer", abstract: "Inventory and move cartridges in an autochanger (configured, or as udev shows it).",
        subcommands: [Inventory.self, List.self, Load.self, Unload.self, Transfer.self], defaultSubcommand: Inventory.self)

    @OptionGroup var options: Options

    struct Options: ParsableArguments {
        @OptionGroup var storage: StorageConfigOption

        @Option(name: .long, help: "The Autochanger resource of the configuration (default: the only one).")
        var changer: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A medium changer udev shows, by sg or ch node, /dev/tape link or serial; needs no configuration.",
                valueName: "node-or-serial"))
        var device: String?

        /// The changer to act on: `--device`, else the configuration's Autochanger, else (no configuration file) the
        /// only medium changer udev shows. Failures print one line and exit 1 (78 for a broken configuration).
        func open() throws -> (name: String, changer: any MediaChanger, configuration: StorageDaemonConfiguration?) {
            if device != nil && changer != nil {
                throw fail("changer", "--device and --changer name two changers: give one")
            }
            let configuration = try storage.load(required: false)
            // no configuration, or one without an Autochanger (a disk-only appliance): what udev shows
            guard let configuration, device == nil, !configuration.autochangers.isEmpty || changer != nil else {
                return try openDiscovered(configuration)
            }
            let names = configuration.autochangers.map(\.name)
            let name: String
            if let wanted = changer {
                guard names.contains(wanted) else {
                    throw fail("changer", "no Autochanger \"\(wanted)\" (the configuration has: \(names.joined(separator: ", ")))")
                }
                name = wanted
            } else {
                guard names.count == 1, let only = names.first else {
                    throw fail(
                        "changer",
                        "several Autochangers (\(names.joined(separator: ", "))): choose one with --changer")
                }
                name = only
            }
            do {
                return (name, try ChangerFactory.make(autochanger: name, in: configuration), configuration)
            } catch {
                throw fail("changer", "Autochanger \"\(name)\": \(error)")
            }
        }

        /// Native SCSI on the changer `--device` names, or on the only one udev shows. A node udev does not know
        /// (no udev in a container) is used as given when it is an sg or ch node.
        private func openDiscovered(_ configuration: StorageDaemonConfiguration?) throws
            -> (name: String, changer: any MediaChanger, configuration: StorageDaemonConfiguration?)
        {
            if changer != nil {
                throw fail(
                    "changer",
                    "--changer names an Autochanger of a configuration, and \(storage.config ?? StorageConfigOption.defaultPath) "
                        + (configuration == nil ? "does not exist; pass -c FILE" : "has none"))
            }
            let path: String
            let name: String
            switch DeviceChoice.changer(named: device, in: UdevEnumeration.inventory()) {
            case .success(let found):
                guard let node = found.genericNode ?? found.changerNode else {
                    throw fail("changer", "medium changer \(found.serial) has no sg or ch node (load the sg module)")
                }
                (path, name) = (node, "changer \(found.serial)")
            case .failure(let failure):
                if let device, ChangerSelection.isSCSIChangerPath(device) {
                    (path, name) = (device, device)
                } else {
                    let hint = device == nil && configuration == nil
                        ? "; no configuration either (\(StorageConfigOption.defaultPath) does not exist): pass --device NODE|SERIAL or -c FILE"
                        : ""
                    throw fail("changer", failure.description + hint)
                }
            }
            do {
                return (name, try SCSIMediaChanger(path: path), configuration)
            } catch {
                throw fail("changer", "\(name) (\(path)): \(error)")
            }
        }
    }

    /// Runs `body`, turning failures into one line on stderr and exit 1.
    static func perform(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let exit as ExitCode { throw exit } catch { throw fail("changer", "\(error)") }
    }

    struct Report: Encodable {
        struct Slot: Encodable {
            var slot: Int
            var address: UInt16
            var importExport: Bool
            var full: Bool
            var barcode: String?
        }
        struct Drive: Encodable {
            var drive: Int
            var address: UInt16
            var full: Bool
            var barcode: String?
            var sourceSlot: Int?
            var serial: String?
            var device: String?
            var node: String?
        }
        var autochanger: String
        var slots: [Slot]
        var drives: [Drive]
    }

    static func report(_ name: String, _ elements: [ChangerElement], _ configuration: StorageDaemonConfiguration?) -> Report {
        let slots = SCSIMediaChanger.slots(elements)
        let drives = SCSIMediaChanger.drives(elements)
        // Drives reported by serial (native SCSI): which udev drive, and so which configured Device, each one is.
        var matched: [Int: (DriveNode, String?)] = [:]
        if drives.contains(where: { $0.driveSerial != nil || $0.driveSerialPrefix != nil }) {
            let records = UdevEnumeration.devices(subsystems: UdevEnumeration.tapeSubsystems)
            let inventory = DeviceInventory(records: records)
            let configured = configuration.map(ConfiguredDrive.all(in:)) ?? []
            let bindings = DeviceRegistry.resolved(devices: configured, inventory: inventory)
            for m in ChangerDriveMatching.match(elements: elements, drives: inventory.drives, unitSerial: UnitSerialProbe.serial) {
                matched[m.driveNumber] = (m.drive, bindings.first { $0.serial.map(m.drive.answers) == true }?.device.name)
            }
        }
        return Report(
            autochanger: name,
            slots: slots.enumerated().map {
                Report.Slot(slot: $0.offset + 1, address: $0.element.address, importExport: $0.element.kind == .importExport,
                    full: $0.element.full, barcode: $0.element.barcode)
            },
            drives: drives.enumerated().map { i, d in
                Report.Drive(
                    drive: i, address: d.address, full: d.full, barcode: d.barcode,
                    sourceSlot: slots.firstIndex { $0.address == d.sourceAddress }.map { $0 + 1 },
                    serial: d.driveSerial ?? matched[i]?.0.serial, device: matched[i]?.1, node: matched[i]?.0.tapeNode)
            })
    }

    struct Inventory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every slot, import/export slot and drive (listall format: D:drive:F:slot:barcode, S:slot:F:barcode, I:...).",
            aliases: ["status"])
        @ParentCommand var parent: ChangerCommand
        var options: Options { parent.options }
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            let (name, changer, configuration) = try options.open()
            try await perform {
                let r = report(name, try await changer.inventory(), configuration)
                if json { return try printJSON(r) }
                for d in r.drives {
                    var line = d.full ? "D:\(d.drive):F:\(d.sourceSlot.map(String.init) ?? ""):\(d.barcode ?? "")" : "D:\(d.drive):E"
                    if let serial = d.serial { line += "  serial=\(serial)" }
                    if let device = d.device { line += "  Device=\"\(device)\"" }
                    print(line)
                }
                for s in r.slots {
                    let kind = s.importExport ? "I" : "S"
                    print(s.full ? "\(kind):\(s.slot):F:\(s.barcode ?? "")" : "\(kind):\(s.slot):E")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full slots as slot:barcode (Bacula's list format; a loaded cartridge under its home slot).")
        @ParentCommand var parent: ChangerCommand
        var options: Options { parent.options }

        func run() async throws {
            let (name, changer, configuration) = try options.open()
            try await perform {
                let r = report(name, try await changer.inventory(), configuration)
                for s in r.slots where s.full { print("\(s.slot):\(s.barcode ?? "")") }
                for d in r.drives where d.full { if let home = d.sourceSlot { print("\(home):\(d.barcode ?? "")") } }
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move the cartridge in SLOT into DRIVE.")
        @ParentCommand var parent: ChangerCommand
        var options: Options { parent.options }
        @Argument(help: "Slot (from 1).") var slot: Int
        @Argument(help: "Drive (from 0).") var drive: Int

        func run() async throws {
            let (_, changer, _) = try options.open()
            try await perform {
                try await changer.load(slot: slot, drive: drive)
                print("loaded slot \(slot) into drive \(drive)")
            }
        }
    }

    struct Unload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put the cartridge in DRIVE back into SLOT (default: the slot it came from, else the first empty one).")
        @ParentCommand var parent: ChangerCommand
        var options: Options { parent.options }
        @Argument(help: "Drive (from 0).") var drive: Int
        @Argument(help: "Slot (from 1).") var slot: Int?

        func run() async throws {
            let (_, changer, _) = try options.open()
            try await perform {
                let to = try await changer.unload(drive: drive, slot: slot)
                print("unloaded drive \(drive) into slot \(to)")
            }
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a cartridge from slot FROM to slot TO.")
        @ParentCommand var parent: ChangerCommand
        var options: Options { parent.options }
        @Argument(help: "Source slot (from 1).") var from: Int
        @Argument(help: "Destination slot (from 1).") var to: Int

        func run() async throws {
            let (_, changer, _) = try options.open()
            try await perform {
                try await changer.transfer(from: from, to: to)
                print("transferred slot \(from) to slot \(to)")
            }
        }
    }
}
