import BaculaWire
import Catalog
import Foundation
import Net
import StorageProtocol

/// Volume and device commands: `label`, `update volume=…`, `delete volume=|jobid=`, `purge volume=`, `prune`,
/// `mount`/`unmount`/`release`. Device commands go to the SD on a short connection of their own.
enum VolumeCommands {
    static func storage(_ arguments: ConsoleArguments, _ session: ConsoleSession) throws -> DirectorConfiguration.Storage {
        let configuration = session.runtime.configuration
        let name = arguments.value("storage") ?? configuration.storages.first?.name ?? ""
        guard let storage = configuration.storage(name), session.allows("Storage ACL", storage.name) else {
            throw ConsoleInputError("Storage resource \"\(name)\" not found.")
        }
        return storage
    }

    /// Sends one device command and returns the SD's lines up to its final (`3000`, `3001`, `39xx`) reply.
    static func deviceCommand(_ bytes: [UInt8], storage: DirectorConfiguration.Storage, session: ConsoleSession) async throws -> [String] {
        let director = session.runtime.configuration.director.name
        try await session.send("Connecting to Storage daemon \(storage.name) at \(storage.address):\(storage.port) ...\n")
        do {
            return try await BsockClient.withConnection(
                host: storage.address, port: storage.port, options: session.runtime.connectionOptions
            ) { connection in
                try await StorageLink.authenticate(
                    connection, directorName: director, password: storage.password, tls: storage.tls, host: storage.address)
                try await connection.write(.payload(bytes))
                var lines: [String] = []
                while let frame = try await connection.read() {
                    guard case .payload(let reply) = frame else {
                        if frame.signal == .endOfData { break }
                        continue
                    }
                    let text = String(decoding: reply.prefix { $0 != 0 }, as: UTF8.self)
                    lines.append(text)
                    if text.hasPrefix("3000") || text.hasPrefix("3001") || text.hasPrefix("3002") || text.hasPrefix("3022")
                        || text.hasPrefix("39")
                    {
                        break
                    }
                }
                try? await connection.write(.signal(.terminate))
                return lines
            }
        } catch {
            throw ConsoleInputError("Failed to connect to Storage daemon \(storage.name) at \(storage.address):\(storage.port): \(error)")
        }
    }

    static func label(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        let configuration = runtime.configuration
        let storage = try storage(arguments, session)
        if arguments.has("barcodes") || arguments.has("barcode") {
            try await SlotCommands.labelBarcodes(arguments, session)
            return
        }
        var volumeName = arguments.value("volume")
        if volumeName == nil { volumeName = try await session.prompt("Enter new Volume name: ") }
        guard let volume = volumeName, !volume.isEmpty, !volume.contains(" ") else {
            throw ConsoleInputError("A Volume name is required (no spaces).")
        }
        if try runtime.catalog.media(named: volume) != nil {
            throw ConsoleInputError("Media record for new Volume \"\(volume)\" already exists.")
        }
        var poolName = arguments.value("pool")
        if poolName == nil {
            poolName = try await session.select(
                "Defined Pools:", session.visible("Pool ACL", configuration.pools.map(\.name)), question: "Select the Pool")
        }
        guard let name = poolName, let pool = configuration.pool(name), session.allows("Pool ACL", pool.name) else {
            throw ConsoleInputError("Pool \"\(poolName ?? "")\" not found.")
        }
        let slot = Int32(arguments.value("slot") ?? "0") ?? 0
        let drive = Int32(arguments.value("drive") ?? "0") ?? 0
        let device = storage.devices.first ?? storage.name
        let command = LabelCommand(
            device: device, volumeName: volume, poolName: pool.name, mediaType: storage.mediaType, slot: slot, drive: drive)
        try await session.send("Sending label command for Volume \"\(volume)\" Slot \(slot) ...\n")
        let lines = try await deviceCommand(DirectorCommand.label(command).bytes, storage: storage, session: session)
        for line in lines { try await session.send(line.hasSuffix("\n") ? line : line + "\n") }
        guard let last = lines.last, last.hasPrefix("3000 OK label") else {
            throw ConsoleInputError("Label command failed for Volume \(volume).")
        }
        let poolID = try runtime.catalog.ensurePool(pool.definition)
        let storageID = try runtime.catalog.ensureStorage(name: storage.name, autochanger: storage.autochanger)
        var media = try runtime.catalog.createMedia(
            volumeName: volume, pool: pool.definition, poolID: poolID, mediaType: storage.mediaType, storageID: storageID,
            slot: Int64(slot), inChanger: storage.autochanger && slot > 0, labelled: true)
        if let result = try? LabelResult(parsing: Array(last.utf8)) {
            media.volumeBytes = Int64(result.volumeBytes)
            media.volumeType = Int64(result.volumeType)
            try runtime.catalog.saveMedia(media)
        }
        try await session.send("Catalog record for Volume \"\(volume)\", Slot \(slot) successfully created.\n")
    }

    static func update(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let catalog = session.runtime.catalog
        if arguments.firstKeyword == "slots" || arguments.firstKeyword == "slot" {
            try await SlotCommands.updateSlots(arguments, session)
            return
        }
        guard let name = arguments.value("volume") ?? arguments.value("media") else {
            throw ConsoleInputError("update needs volume=<name> with volstatus=, pool=, slot=, inchanger=, recycle= or enabled=.")
        }
        guard var media = try catalog.media(named: name) else { throw ConsoleInputError("Volume \"\(name)\" not found in the catalog.") }
        guard session.allows("Pool ACL", media.poolName) else { throw ConsoleInputError("Volume \"\(name)\" not found in the catalog.") }
        var said = ""
        if let status = arguments.value("volstatus") {
            let allowed = ["Append", "Archive", "Disabled", "Full", "Used", "Cleaning", "Recycle", "Read-Only", "Error"]
            guard let match = allowed.first(where: { $0.lowercased() == status.lowercased() }) else {
                throw ConsoleInputError("Invalid VolStatus \"\(status)\"; one of \(allowed.joined(separator: ", ")).")
            }
            media.volumeStatus = match
            said += "New Volume status is: \(match)\n"
        }
        if let poolName = arguments.value("pool") {
            guard let pool = session.runtime.configuration.pool(poolName), session.allows("Pool ACL", pool.name) else {
                throw ConsoleInputError("Pool \"\(poolName)\" not found.")
            }
            media.poolID = try catalog.ensurePool(pool.definition)
            said += "New Pool is: \(pool.name)\n"
        }
        if let slot = arguments.value("slot"), let number = Int64(slot) {
            media.slot = number
            said += "New Slot is: \(number)\n"
        }
        if let value = arguments.value("inchanger") {
            media.inChanger = ["yes", "1", "true"].contains(value.lowercased()) ? 1 : 0
            said += "New InChanger flag is: \(media.inChanger)\n"
        }
        if let value = arguments.value("recycle") {
            media.recycle = ["yes", "1", "true"].contains(value.lowercased()) ? 1 : 0
            said += "New Recycle flag is: \(value)\n"
        }
        if let value = arguments.value("enabled") {
            media.enabled = ["yes", "1", "true"].contains(value.lowercased()) ? 1 : 0
            said += "New Enabled is: \(media.enabled)\n"
        }
        guard !said.isEmpty else { throw ConsoleInputError("Nothing to update for Volume \"\(name)\".") }
        try catalog.saveMedia(media)
        try await session.send(said)
    }

    static func delete(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let catalog = session.runtime.catalog
        if let name = arguments.value("volume") {
            guard let media = try catalog.media(named: name), session.allows("Pool ACL", media.poolName) else {
                throw ConsoleInputError("Volume \"\(name)\" not found in the catalog.")
            }
            if !arguments.has("yes") {
                let answer = try await session.prompt(
                    "\nThis command will delete volume \(name)\nand all Jobs saved on that volume from the Catalog\n"
                        + "Are you sure you want to delete Volume \"\(name)\"? (yes/no): ")
                guard answer?.lowercased() == "yes" else { return }
            }
            for job in try jobIDs(onVolume: media.mediaID, catalog) { try catalog.deleteJob(id: job) }
            try catalog.deleteMedia(id: media.mediaID)
            try await session.send("Volume \"\(name)\" deleted from the catalog.\n")
            return
        }
        if let text = arguments.value("jobid") {
            var deleted: [String] = []
            for part in text.split(separator: ",") {
                guard let id = Int64(part), let job = try catalog.job(id: id), session.allows("Job ACL", job.name) else {
                    throw ConsoleInputError("JobId \(part) not found in the catalog.")
                }
                try catalog.deleteJob(id: id)
                deleted.append(String(id))
            }
            try await session.send("JobId=\(deleted.joined(separator: ",")) deleted from catalog.\n")
            return
        }
        throw ConsoleInputError("delete needs volume=<name> or jobid=<n>.")
    }

    static func jobIDs(onVolume mediaID: Int64, _ catalog: CatalogDatabase) throws -> [Int64] {
        try catalog.rows(sql: "SELECT DISTINCT JobId FROM JobMedia WHERE MediaId = ?", arguments: [String(mediaID)]).rows
            .compactMap { Int64($0[0]) }
    }

    static func purge(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let catalog = session.runtime.catalog
        guard let name = arguments.value("volume") else { throw ConsoleInputError("purge needs volume=<name>.") }
        guard var media = try catalog.media(named: name), session.allows("Pool ACL", media.poolName) else {
            throw ConsoleInputError("Volume \"\(name)\" not found in the catalog.")
        }
        let jobs = try jobIDs(onVolume: media.mediaID, catalog)
        for job in jobs { try catalog.deleteJob(id: job) }
        media.volumeStatus = "Purged"
        try catalog.saveMedia(media)
        try await session.send("\(jobs.count) Job\(jobs.count == 1 ? "" : "s") on Volume \"\(name)\" purged from catalog.\n")
        try await session.send("Volume \"\(name)\" is now Purged.\n")
    }

    /// `prune jobs|files|volume …`: removes jobs older than their client's Job Retention (files: File Retention),
    /// and marks volumes past their Volume Retention with no jobs left as Purged.
    static func prune(_ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let runtime = session.runtime
        let report = try Pruning.prune(runtime: runtime, what: arguments.firstKeyword ?? "jobs", client: arguments.value("client"),
            volume: arguments.value("volume"))
        try await session.send(report)
    }

    static func device(_ verb: String, _ arguments: ConsoleArguments, _ session: ConsoleSession) async throws {
        let storage = try storage(arguments, session)
        let drive = Int32(arguments.value("drive") ?? "0") ?? 0
        let slot = arguments.value("slot").flatMap { Int32($0) }
        let device = storage.devices.first ?? storage.name
        let command = DriveCommand(device: device, drive: drive, slot: slot)
        let bytes: [UInt8]
        switch verb {
        case "mount": bytes = DirectorCommand.mount(command).bytes
        case "unmount": bytes = DirectorCommand.unmount(command).bytes
        default: bytes = DirectorCommand.release(command).bytes
        }
        for line in try await deviceCommand(bytes, storage: storage, session: session) {
            try await session.send(line.hasSuffix("\n") ? line : line + "\n")
        }
    }
}
