import BaculaVolume
import CapstanConfig
import Changers
import Foundation
import StorageProtocol
import TapeDevices

/// The console's device commands as the Director relays them (docs/device-commands.md, captured from 9.6.7):
/// `autochanger slots|list|listall|drives`, `label`, `relabel`, `mount`, `unmount`, `release`, `readlabel`.
/// Each returns the lines to send back before EOD.
extension VolumeManager {
    /// The tape device of autochanger (or device) `name` that is drive `drive`.
    func runtime(named name: String, drive: Int32) -> DeviceRuntime? {
        if let changer = configuration.autochangers.first(where: { $0.name == name }) {
            let device = configuration.devices.first { changer.devices.contains($0.name) && $0.driveIndex == Int(drive) }
            return device.flatMap { runtimeFor(device: $0.name) }
        }
        return runtimeFor(device: name)
    }

    func deviceCommandLines(_ command: DirectorCommand) async -> [[UInt8]] {
        func refuse(_ code: Int32, _ message: String) -> [[UInt8]] {
            [StorageReply.deviceError(code: code, message: message).bytes]
        }
        switch command {
        case .autochanger(let request):
            guard let runtime = runtime(named: request.device, drive: 0), let changer = runtime.changer else {
                return refuse(3993, "Device \(request.device) is not an autochanger.")
            }
            do {
                let elements = try await changer.inventory()
                let slots = elements.filter { $0.kind == .slot }.sorted { $0.address < $1.address }
                let exchange = elements.filter { $0.kind == .importExport }.sorted { $0.address < $1.address }
                let drives = elements.filter { $0.kind == .drive }.sorted { $0.address < $1.address }
                var out = [ChangerMessage.issuing(command: request.action.rawValue).bytes]
                switch request.action {
                case .slots:
                    out.append(AutochangerOutput.slotCount(Int32(slots.count + exchange.count)).bytes)
                case .drives:
                    out.append(AutochangerOutput.driveCount(Int32(drives.count)).bytes)
                case .list:
                    // As mtx-changer lists it: full slots, and a cartridge in a drive under the slot it came from.
                    let all = slots + exchange
                    var listed: [(Int, String)] = []
                    for (index, slot) in all.enumerated() { if let barcode = slot.barcode { listed.append((index + 1, barcode)) } }
                    for drive in drives {
                        guard let barcode = drive.barcode, let source = drive.sourceAddress,
                            let from = all.firstIndex(where: { $0.address == source }), all[from].barcode == nil
                        else { continue }
                        listed.append((from + 1, barcode))
                    }
                    for (slot, barcode) in listed.sorted(by: { $0.0 < $1.0 }) {
                        out.append(AutochangerOutput.slot(Int32(slot), barcode: barcode).bytes)
                    }
                case .listAll:
                    let all = slots + exchange
                    for (index, drive) in drives.enumerated() {
                        let from = drive.sourceAddress.flatMap { source in all.firstIndex { $0.address == source } }
                        let loaded = drive.barcode.map {
                            AutochangerOutput.LoadedCartridge(slot: Int32((from ?? -1) + 1), barcode: $0)
                        }
                        out.append(AutochangerOutput.drive(Int32(index), loaded: loaded).bytes)
                    }
                    for (index, slot) in slots.enumerated() {
                        out.append(AutochangerOutput.storageSlot(Int32(index + 1), barcode: slot.barcode).bytes)
                    }
                    for (index, slot) in exchange.enumerated() {
                        out.append(AutochangerOutput.importExportSlot(Int32(slots.count + index + 1), barcode: slot.barcode).bytes)
                    }
                }
                return out
            } catch {
                return refuse(3993, "Autochanger \(request.device) failed: \(error)")
            }
        case .label(let label):
            return await labelCartridge(label, oldName: nil)
        case .relabel(let label, let oldName):
            return await labelCartridge(label, oldName: oldName)
        case .mount(let request):
            guard let runtime = runtime(named: request.device, drive: request.drive) else {
                return refuse(3999, "Device \"\(request.device)\" not found or could not be opened.")
            }
            do {
                let volume = try await runtime.mountSlot(Int(request.slot ?? 0))
                let description = await runtime.description
                return [StorageReply.mounted(volume: volume).bytes, StorageReply.isMounted(device: description, volume: volume).bytes]
            } catch {
                return [StorageReply.openFailed(device: await runtime.description, error: "\(error)\n").bytes]
            }
        case .unmount(let request), .release(let request):
            guard let runtime = runtime(named: request.device, drive: request.drive) else {
                return refuse(3999, "Device \"\(request.device)\" not found or could not be opened.")
            }
            let description = await runtime.description
            let wasLoaded = (try? await runtime.unloadDrive()) ?? false
            if case .unmount = command {
                return [(wasLoaded ? StorageReply.unmounted(device: description) : .alreadyUnmounted(device: description)).bytes]
            }
            return [(wasLoaded ? StorageReply.released(device: description) : .alreadyReleased(device: description)).bytes]
        case .readLabel(let device, let slot, let drive):
            guard let runtime = runtime(named: device, drive: drive) else {
                return refuse(3999, "Device \"\(device)\" not found or could not be opened.")
            }
            do {
                let volume = try await runtime.mountSlot(Int(slot))
                return [StorageReply.labelRead(volume: volume, slot: slot).bytes]
            } catch {
                return refuse(3902, "Cannot mount Volume on Storage Device \(device) because: \(error)")
            }
        default:
            return [StorageReply.invalidCommand(command: command.verb).bytes]
        }
    }

    /// `label`/`relabel`: load the slot's cartridge, refuse one that already carries another label (unless
    /// relabelling it), write the Bacula label, answer `3000 OK label.`.
    private func labelCartridge(_ label: LabelCommand, oldName: String?) async -> [[UInt8]] {
        guard let runtime = runtime(named: label.device, drive: label.drive) else {
            if let device = configuration.devices.first(where: { $0.name == label.device }), Self.isFileDevice(device) {
                return labelFileVolume(label, device: device, replacing: oldName)
            }
            return [StorageReply.deviceError(code: 3999, message: "Device \"\(label.device)\" not found or could not be opened.").bytes]
        }
        // A File device labels a volume by creating its file, whatever volume the device has open for a job
        // (bacula-sd does the same): no drive to load, nothing to wait for.
        if Self.isFileDevice(runtime.device) {
            return labelFileVolume(label, device: runtime.device, replacing: oldName)
        }
        do {
            let result = try await runtime.writeLabel(
                slot: Int(label.slot), volume: label.volumeName, pool: label.poolName, mediaType: label.mediaType,
                replacing: oldName, storageName: storageName)
            return [StorageReply.labelled(result).bytes]
        } catch let refusal as DeviceRuntime.AlreadyLabelled {
            return [StorageReply.alreadyLabelled(volume: refusal.volume).bytes]
        } catch {
            return [StorageReply.deviceError(code: 3912, message: "Failed to label Volume \(label.volumeName): \(error)").bytes]
        }
    }

    /// `label` on a File device: a new volume file with its label. A file that already carries a label is
    /// refused, unless `relabel` names that label (`replacing`), which starts the file afresh; the old volume's
    /// file is removed when the new name differs.
    private func labelFileVolume(_ label: LabelCommand, device: StorageDaemonConfiguration.Device, replacing: String?)
        -> [[UInt8]]
    {
        let path = device.archiveDevice + "/" + label.volumeName
        if FileManager.default.fileExists(atPath: path),
            let existing = try? VolumeStream(path: path).label?.volumeName, existing != replacing
        {
            return [StorageReply.alreadyLabelled(volume: existing).bytes]
        }
        if let replacing, replacing != label.volumeName {
            let oldPath = device.archiveDevice + "/" + replacing
            if FileManager.default.fileExists(atPath: oldPath) { try? FileManager.default.removeItem(atPath: oldPath) }
        }
        do {
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let volumeLabel = VolumeLabel(
                labelTime: now, writeTime: now, volumeName: label.volumeName, poolName: label.poolName,
                mediaType: label.mediaType, hostName: ProcessInfo.processInfo.hostName, labelProgram: storageName,
                programVersion: CapstanVersion.text, programDate: "26Nov26")
            var writer = VolumeWriter(medium: .file, blockSize: device.effectiveBlockSize)
            let file = try FileVolumeWriter(path: path, truncate: true)
            try writer.writeLabel(volumeLabel, type: .preLabel) { output in
                if case .block(let bytes) = output { try file.write(bytes) }
            }
            try file.close()
            let result = LabelResult(
                volumeBytes: UInt64(file.size), volumeName: label.volumeName,
                device: DeviceDescription(name: device.name, archiveDevice: device.archiveDevice))
            return [StorageReply.labelled(result).bytes]
        } catch {
            return [StorageReply.deviceError(code: 3912, message: "Failed to label Volume \(label.volumeName): \(error)").bytes]
        }
    }
}

extension DeviceRuntime {
    /// A cartridge that already carries a Bacula label named `volume`.
    struct AlreadyLabelled: Error {
        var volume: String
    }

    var description: DeviceDescription { DeviceDescription(name: device.name, archiveDevice: device.archiveDevice) }

    /// Loads the cartridge of `slot` (0: keep what is loaded) and reads its label.
    func mountSlot(_ slot: Int) async throws -> String {
        try await requireIdle()
        if slot > 0 { try await loadSlot(slot) }
        try await waitForDriveReady()
        let drive = try openDriveForCommand()
        defer { (drive as? VirtualTape).map { try? $0.close() } }
        guard let label = try Self.readLabel(drive) else {
            throw StorageDaemonError.volume(job: "mount", reason: "the tape in \(device.name) has no Bacula label")
        }
        return label.volumeName
    }

    /// Unloads the drive to its home slot; false when it was empty.
    func unloadDrive() async throws -> Bool {
        try await requireIdle()
        return try await unloadToHomeSlot()
    }

    /// Writes a Bacula label on the cartridge of `slot`. Refuses a labelled tape unless it is `replacing`.
    func writeLabel(slot: Int, volume: String, pool: String, mediaType: String, replacing: String?, storageName: String)
        async throws -> LabelResult
    {
        try await requireIdle()
        if slot > 0 { try await loadSlot(slot) }
        try await waitForDriveReady()
        let drive = try openDriveForCommand()
        defer { (drive as? VirtualTape).map { try? $0.close() } }
        if let existing = try Self.readLabel(drive), existing.volumeName != replacing {
            throw AlreadyLabelled(volume: existing.volumeName)
        }
        try drive.rewind()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let label = VolumeLabel(
            labelTime: now, writeTime: now, volumeName: volume, poolName: pool, mediaType: mediaType,
            hostName: ProcessInfo.processInfo.hostName, labelProgram: storageName, programVersion: CapstanVersion.text,
            programDate: "26Nov26")
        var writer = VolumeWriter(medium: .tape(maximumFileSize: Int(clamping: device.maximumFileSize)), blockSize: device.effectiveBlockSize)
        var bytes: UInt64 = 0
        try writer.writeLabel(label, type: .preLabel, filemarkAfter: true) { output in
            switch output {
            case .block(let block):
                try drive.writeBlock(block)
                bytes += UInt64(device.effectiveBlockSize)
            case .filemark:
                try drive.writeFilemarks(1)
            }
        }
        return LabelResult(volumeBytes: bytes, volumeName: volume, device: description)
    }
}
