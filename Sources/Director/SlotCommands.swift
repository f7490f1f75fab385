import Catalog
import Foundation
import StorageProtocol

/// `update slots` and `label barcodes`: the Director asks the SD for the changer's slot count and barcodes
/// (`autochanger slots`, `autochanger list`, each on a connection of its own as bacula-dir does), then sets Slot
/// and InChanger of the catalog's volumes, or labels each barcode the catalog does not know yet.
enum SlotCommands {
    /// The changer's inventory as the SD reports it; the SD's messages are relayed to the console.
    static func inventory(_ storage: DirectorConfiguration.Storage, _ session: ConsoleSession) async throws
        -> ChangerInventory
    {
        let device = storage.devices.first ?? storage.name
        var inventory = ChangerInventory()
        for action in [AutochangerCommand.Action.slots, .list] {
            let lines = try await VolumeCommands.deviceCommand(
                DirectorCommand.autochanger(AutochangerCommand(action: action, device: device)).bytes, storage: storage,
                session: session)
            if let refusal = lines.first(where: { $0.hasPrefix("39") }) {
                throw ConsoleInputError("Storage \(storage.name): \(refusal.trimmingCharacters(in: .newlines))")
            }
            let messages: [String]
            do {
                messages = try inventory.read(lines)
            } catch {
                throw ConsoleInputError("Storage \(storage.name) sent an unreadable autochanger answer: \(error)")
            }
            for message in messages { try await session.send(message.hasSuffix("\n") ? message : message + "\n") }
            if action == .slots {
                guard inventory.slotCount > 0 else {
                    throw ConsoleInputError("Storage \(storage.name) reported no slots.")
                }
                try await session.send("Device \"\(device)\" has \(inventory.slotCount) slots.\n")
            }
        }
        return inventory
    }

    static func selectedSlots(_ arguments: ConsoleArguments, _ inventory: ChangerInventory) throws -> [Int] {
        do {
            // `update slots slots=1-4`: the first `slots` is the subcommand, the selection is the one with a value.
            let text = arguments.items.first {
                ["slots", "slot"].contains($0.keyword.lowercased()) && $0.value != nil
            }?.value
            return try SlotSelection.parse(text, slotCount: inventory.slotCount)
        } catch {
            throw ConsoleInputError(error.description)
        }
    }

    /// Puts `media` in `slot` of the changer (InChanger 1) and takes any other volume of the same storage out of
    /// that slot (InChanger 0).
    static func place(_ media: MediaRow, slot: Int, storageID: Int64, _ catalog: CatalogDatabase) throws {
        try clear(slot: slot, storageID: storageID, except: media.mediaID, catalog)
        var changed = media
        changed.slot = Int64(slot)
        changed.inChanger = 1
        changed.storageID = storageID
        try catalog.saveMedia(changed)
    }

    /// Volumes of the storage recorded in `slot` are no longer in the changer.
    static func clear(slot: Int, storageID: Int64, except: Int64 = -1, _ catalog: CatalogDatabase) throws {
        for other in try catalog.media()
        where other.mediaID != except && other.slot == Int64(slot) && other.inChanger != 0
            && (other.storageID == storageID || other.storageID == 0)
        {
            var changed = other
            changed.inChanger = 0
            try catalog.saveMedia(changed)
        }
    }

    /// `update slots [scan] [storage=… drive=… slots=…]`: the volume in each selected slot is named by its barcode,
    /// or, with `scan`, by the label the SD reads from it (`readlabel DEVICE Slot=N drive=D`, one SD connection
    /// per full slot, as bacula-dir does: the SD loads each cartridge into the drive).
    static func updateSlots(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let storage = try VolumeCommands.storage(arguments, session)
        let catalog = session.runtime.catalog
        let storageID = try catalog.ensureStorage(name: storage.name, autochanger: storage.autochanger)
        let inventory = try await inventory(storage, session)
        let scan = arguments.has("scan")
        let drive = Int32(arguments.value("drive") ?? "0") ?? 0
        for slot in try selectedSlots(arguments, inventory) {
            let volume =
                scan
                ? (inventory.fullSlots.contains(slot) ? try await readLabel(slot: slot, drive: drive, storage, session) : nil)
                : inventory.barcodes[slot]
            guard let volume else {
                try clear(slot: slot, storageID: storageID, catalog)
                try await session.send("No VolName for Slot=\(slot) InChanger set to zero.\n")
                continue
            }
            guard let media = try catalog.media(named: volume) else {
                try clear(slot: slot, storageID: storageID, catalog)
                try await session.send(
                    "Volume \"\(volume)\" not found in catalog. Slot=\(slot) InChanger set to zero.\n")
                continue
            }
            if media.slot == Int64(slot) && media.inChanger == 1 && media.storageID == storageID {
                try await session.send("Catalog record for Volume \"\(volume)\" is up to date.\n")
            } else {
                try place(media, slot: slot, storageID: storageID, catalog)
                try await session.send("Catalog record for Volume \"\(volume)\" updated to reference slot \(slot).\n")
            }
        }
    }

    /// The volume name on the label of the cartridge in `slot`, read by the SD; nil (the SD's reason relayed to the
    /// console) when it cannot be read.
    static func readLabel(slot: Int, drive: Int32, _ storage: DirectorConfiguration.Storage, _ session: ConsoleSession)
        async throws -> String?
    {
        let device = storage.devices.first ?? storage.name
        let lines = try await VolumeCommands.deviceCommand(
            DirectorCommand.readLabel(device: device, slot: Int32(slot), drive: drive).bytes, storage: storage,
            session: session)
        for line in lines {
            if case .labelRead(let volume, _)? = try? StorageReply(parsing: Array((line.hasSuffix("\n") ? line : line + "\n").utf8)) {
                return volume
            }
        }
        for line in lines { try await session.send(line.hasSuffix("\n") ? line : line + "\n") }
        return nil
    }

    /// `label barcodes [storage=… pool=… slots=… drive=…] [yes]`: every selected slot whose barcode has no
    /// catalog record is labelled with its barcode as the Volume name (a `CLN` barcode becomes a Cleaning record
    /// without a label); known ones get their Slot/InChanger set.
    static func labelBarcodes(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        let configuration = runtime.configuration
        let storage = try VolumeCommands.storage(arguments, session)
        let catalog = runtime.catalog
        var poolName = arguments.value("pool")
        if poolName == nil {
            poolName = try await session.select(
                "Defined Pools:", session.visible("Pool ACL", configuration.pools.map(\.name)),
                question: "Select the Pool")
        }
        guard let name = poolName, let pool = configuration.pool(name), session.allows("Pool ACL", pool.name) else {
            throw ConsoleInputError("Pool \"\(poolName ?? "")\" not found.")
        }
        let storageID = try catalog.ensureStorage(name: storage.name, autochanger: storage.autochanger)
        let inventory = try await inventory(storage, session)
        var toLabel: [(slot: Int, volume: String)] = []
        for slot in try selectedSlots(arguments, inventory) {
            guard let barcode = inventory.barcodes[slot] else { continue }
            if let media = try catalog.media(named: barcode) {
                try place(media, slot: slot, storageID: storageID, catalog)
                try await session.send("Media record for Slot \(slot) Volume \"\(barcode)\" already exists.\n")
                continue
            }
            toLabel.append((slot, barcode))
        }
        guard !toLabel.isEmpty else {
            try await session.send("No Volumes to label.\n")
            return
        }
        var list = "The following Volumes will be labeled:\nSlot  Volume\n==============\n"
        for entry in toLabel { list += String(format: "%4d  ", entry.slot) + entry.volume + "\n" }
        try await session.send(list)
        if !arguments.has("yes") {
            guard try await session.prompt("Do you want to label these Volumes? (yes|no): ")?.lowercased() == "yes"
            else {
                return
            }
        }
        let poolID = try catalog.ensurePool(pool.definition)
        let drive = Int32(arguments.value("drive") ?? "0") ?? 0
        let device = storage.devices.first ?? storage.name
        for entry in toLabel {
            if entry.volume.hasPrefix("CLN") {
                var media = try catalog.createMedia(
                    volumeName: entry.volume, pool: pool.definition, poolID: poolID, mediaType: storage.mediaType,
                    storageID: storageID, slot: Int64(entry.slot), inChanger: true, labelled: false)
                media.volumeStatus = "Cleaning"
                try catalog.saveMedia(media)
                try await session.send("Catalog record for cleaning tape \"\(entry.volume)\" successfully created.\n")
                continue
            }
            let command = LabelCommand(
                device: device, volumeName: entry.volume, poolName: pool.name, mediaType: storage.mediaType,
                slot: Int32(entry.slot), drive: drive)
            try await session.send("Sending label command for Volume \"\(entry.volume)\" Slot \(entry.slot) ...\n")
            let lines = try await VolumeCommands.deviceCommand(
                DirectorCommand.label(command).bytes, storage: storage, session: session)
            for line in lines { try await session.send(line.hasSuffix("\n") ? line : line + "\n") }
            guard let last = lines.last, last.hasPrefix("3000 OK label") else {
                try await session.error("Label command failed for Volume \(entry.volume).")
                continue
            }
            try clear(slot: entry.slot, storageID: storageID, catalog)
            var media = try catalog.createMedia(
                volumeName: entry.volume, pool: pool.definition, poolID: poolID, mediaType: storage.mediaType,
                storageID: storageID, slot: Int64(entry.slot), inChanger: true, labelled: true)
            if let result = try? LabelResult(parsing: Array(last.utf8)) {
                media.volumeBytes = Int64(result.volumeBytes)
                media.volumeType = Int64(result.volumeType)
                try catalog.saveMedia(media)
            }
            try await session.send(
                "Catalog record for Volume \"\(entry.volume)\", Slot \(entry.slot) successfully created.\n")
        }
    }
}
