import ArgumentParser
import CapstanConfig
import Discovery
import Foundation

/// `capstan devices`: the tape drives and changers udev shows, with serials, nodes and the configured Device each is.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List tape drives and changers (serial, vendor, model, nodes) and which configured Device each is.")

    @OptionGroup var storage: StorageConfigOption

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Option(name: .long, help: "Then follow hotplug for this many seconds, printing each configured drive that comes or goes.")
    var watch: Int?

    struct Listing: Encodable {
        struct Drive: Encodable {
            var node: DriveNode
            var device: String?
        }
        struct Changer: Encodable {
            var node: ChangerNode
            var autochanger: String?
        }
        struct Missing: Encodable {
            var device: String
            var archiveDevice: String
            var serial: String?
        }
        var drives: [Drive]
        var changers: [Changer]
        /// Configured drives udev does not show.
        var missing: [Missing]
    }

    func run() async throws {
        let configuration = try storage.load(required: false)
        let configured = configuration.map(ConfiguredDrive.all(in:)) ?? []
        let registry: DeviceRegistry
        var follower: Task<Void, Never>?
        if watch != nil {
            do {
                (registry, follower) = try DeviceRegistry.start(devices: configured)
            } catch {
                throw fail("devices", "\(error)")
            }
        } else {
            registry = DeviceRegistry(devices: configured, records: UdevEnumeration.devices(subsystems: UdevEnumeration.tapeSubsystems))
        }
        let listing = Self.listing(await registry.devices(), await registry.bindings(), configuration)
        if json { try printJSON(listing) } else { FileHandle.standardOutput.write(Data(Self.text(listing).utf8)) }
        guard let seconds = watch else { return }
        let events = await registry.events()
        let stop = Task {
            try? await Task.sleep(for: .seconds(seconds))
            await registry.finish()
        }
        for await event in events {
            let line: String
            switch event {
            case .appeared(let b):
                line = "appeared \(b.device.name) serial=\(b.serial ?? "-") node=\(b.drive?.tapeNode ?? "-") sg=\(b.drive?.genericNode ?? "-")"
            case .disappeared(let b):
                line = "disappeared \(b.device.name) serial=\(b.serial ?? "-")"
            }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        stop.cancel()
        follower?.cancel()
    }

    static func listing(_ inventory: DeviceInventory, _ bindings: [DriveBinding], _ configuration: StorageDaemonConfiguration?) -> Listing {
        let drives = inventory.drives.map { node in
            Listing.Drive(node: node, device: bindings.first { $0.drive?.serial == node.serial }?.device.name)
        }
        let changers = inventory.changers.map { node in
            Listing.Changer(
                node: node,
                autochanger: configuration?.autochangers.first { changer in
                    let path = changer.changerDevice
                    if inventory.changer(atPath: path) == node { return true }
                    if case .serial(let s) = DriveReference(archiveDevice: path) { return node.answers(to: s) }
                    return false
                }?.name)
        }
        let missing = bindings.filter { !$0.isPresent }.map {
            Listing.Missing(device: $0.device.name, archiveDevice: $0.device.archiveDevice, serial: $0.serial)
        }
        return Listing(drives: drives, changers: changers, missing: missing)
    }

    static func text(_ l: Listing) -> String {
        var out = ""
        for d in l.drives {
            out += "drive   \(d.node.serial)  \(d.node.vendor) \(d.node.model)  \(d.node.tapeNode ?? "-")  \(d.node.genericNode ?? "-")"
            out += d.device.map { "  Device \"\($0)\"" } ?? ""
            out += "\n"
        }
        for c in l.changers {
            out += "changer \(c.node.serial)  \(c.node.vendor) \(c.node.model)  \(c.node.genericNode ?? "-")  \(c.node.changerNode ?? "-")"
            out += c.autochanger.map { "  Autochanger \"\($0)\"" } ?? ""
            out += "\n"
        }
        for m in l.missing {
            out += "missing Device \"\(m.device)\" (\(m.archiveDevice)\(m.serial.map { ", serial \($0)" } ?? ""))\n"
        }
        if l.drives.isEmpty && l.changers.isEmpty { out += "no tape drives or changers found\n" }
        return out
    }
}
