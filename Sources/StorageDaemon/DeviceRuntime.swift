import BaculaVolume
import CapstanConfig
import Changers
import Discovery
import Foundation
import Logging
import StorageProtocol
import TapeDevices

/// A tape-like device at run time — a virtual tape (`Device Type = VTape`) or a Linux st drive, alone or in an
/// autochanger: which volume is in the drive, and the data path (spool, despooler, drive-writer thread) its jobs
/// write through. One data path serves every job appending to the mounted volume; it is closed when the last job
/// is done, and the drive is reopened for the next mount. End of medium asks the Director for the next volume,
/// loads it (by barcode, in an autochanger) and labels it (spec §8.3).
actor DeviceRuntime {
    let device: StorageDaemonConfiguration.Device
    let changer: (any MediaChanger)?
    let storageName: String
    let logger: Logger
    let jobs: JobRegistry

    private var dataPath: DeviceDataPath?
    private var pathPool: String?
    private var openJobs = 0
    /// A job is mounting its volume and opening the data path (`openJob`); the jobs that came meanwhile wait here.
    private var pathOpening = false
    private var openingWaiters: [CheckedContinuation<Void, Never>] = []
    /// Jobs for another pool than the running jobs', waiting for those to end (`openJob`), by ticket.
    private var poolWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    private var nextPoolTicket = 0
    /// Volumes this device wrote for running jobs, by name (their catalog records, for JobMedia and UpdateMedia).
    private var volumes: [String: VolumeInfo] = [:]
    /// JobMedia segments by JobId, recorded by the drive writer thread as it closes each one. Behind a lock rather
    /// than on the actor, so a segment is recorded before the writer acknowledges the job's last block and
    /// `finishJob` always sees it (a Task hopping onto the actor could arrive after `finishJob`, and the JobMedia
    /// record was then lost).
    private let segments = GuardedState<[UInt32: [JobMediaSegment]]>("job media segments", [:])
    /// The volume name in the drive, as read from its label.
    private(set) var loadedVolume: String?
    /// Cartridge moves this device asked its changer for, and how many failed.
    private(set) var changerMoves = 0
    private(set) var changerErrors = 0
    /// The drive udev shows for this Device (st drives, while the daemon follows udev); nil otherwise.
    private var binding: DriveBinding?
    private var registry: DeviceRegistry?
    /// `Fail Write At Block` (a test directive) has injected its one write error.
    private let writeFaultFired = GuardedState<Bool>("injected write fault", false)
    /// Why the Device is offline (its drive is not present); nil while it is usable.
    private(set) var offlineReason: String?

    /// Takes a cartridge out of another drive of the same library for this Device: true when it was moved to its
    /// slot, false when that drive is busy. Set by the VolumeManager.
    typealias CartridgeRelease = @Sendable (_ barcode: String, _ requester: String) async throws -> Bool
    let releaseFromPeer: CartridgeRelease?
    /// The other Device writing a volume now, if any (a volume is used by one device at a time). Set by the
    /// VolumeManager.
    typealias VolumeUse = @Sendable (_ volume: String, _ requester: String) async -> String?
    let writingElsewhere: VolumeUse?
    /// TapeAlert readings of st drives (LOG SENSE 2Eh on the drive's sg node), after each mount and each job.
    let driveHealth: DriveHealth?

    init(device: StorageDaemonConfiguration.Device, changer: (any MediaChanger)?, storageName: String, jobs: JobRegistry,
        logger: Logger, driveHealth: DriveHealth? = nil, releaseFromPeer: CartridgeRelease? = nil,
        writingElsewhere: VolumeUse? = nil)
    {
        self.releaseFromPeer = releaseFromPeer
        self.writingElsewhere = writingElsewhere
        self.driveHealth = driveHealth
        self.device = device
        self.changer = changer
        self.storageName = storageName
        self.jobs = jobs
        var logger = logger
        logger[metadataKey: "device"] = "\(device.name)"
        self.logger = logger
    }

    var isVirtual: Bool { device.deviceType?.lowercased() == "vtape" || !device.archiveDevice.hasPrefix("/dev/") }
    /// The drive streams (a tape drive, or a virtual tape with `Maximum Tape Rate`): a spooled job gets it only for
    /// bursts that keep it streaming (`Spool.nextWork`). A File device, or a virtual tape that writes at the disk's
    /// speed, has no medium to stop: a spooled job's despool starts with its first block, overlapping the job, and
    /// the spool is only the buffer between the client and the volume (the job's end then waits for the last few
    /// blocks, not for the whole spool).
    var streams: Bool { !isFileDevice && !(isVirtual && device.maximumTapeRate == 0) }
    /// How a streaming drive starts a spell: once its writer's whole pool (8 blocks) is queued, a job's end or a
    /// pause is queued, or 2 s after the first block (`DriveStart`).
    static let driveStart = DriveStart(blocks: DriveWriter.Configuration().queueBlocks, limit: .seconds(2))
    /// A File device: each volume is a file in the Archive Device directory.
    var isFileDevice: Bool { VolumeManager.isFileDevice(device) }
    var volumeType: Int32 { VolumeManager.volumeType(device) }

    /// The path of a volume on a File device.
    func filePath(_ volume: String) -> String { device.archiveDevice + "/" + volume }

    // MARK: Discovery

    /// Starts tracking the drive by serial through `registry` (see `DeviceRegistry`).
    func attach(registry: DeviceRegistry, binding: DriveBinding) {
        self.registry = registry
        self.binding = binding
        offlineReason = binding.isPresent ? nil : Self.absence(binding)
        if let reason = offlineReason { logger.warning("device offline: \(reason)") }
    }

    /// The registry saw the drive come or go. Returns the reason when it went: the caller fails the Device's jobs.
    func driveChanged(_ event: RegistryEvent) -> String? {
        switch event {
        case .appeared(let binding):
            self.binding = binding
            offlineReason = nil
            logger.info(
                "device online", metadata: ["serial": "\(binding.serial ?? "?")", "node": "\(binding.drive?.tapeNode ?? "?")"])
            return nil
        case .disappeared(let binding):
            self.binding = binding
            let reason = Self.absence(binding)
            offlineReason = reason
            loadedVolume = nil
            logger.warning("device offline: \(reason)", metadata: ["serial": "\(binding.serial ?? "?")"])
            return reason
        }
    }

    static func absence(_ binding: DriveBinding) -> String {
        "drive \(binding.serial.map { "with serial \($0)" } ?? binding.device.archiveDevice) of device \"\(binding.device.name)\" "
            + "is not present (removed or its connection is down)"
    }

    /// The node to open: the drive's current no-rewind st node when it is tracked by serial, else the Archive Device.
    var driveNode: String { binding?.drive?.tapeNode ?? device.archiveDevice }

    /// The serial the drive is tracked by, when known.
    var driveSerial: String? { binding?.serial }

    /// The sg node of the drive, when udev shows one. Asked of the registry each time: udev reports a drive's sg
    /// node after its st node, and only the st node's arrival is an event.
    func genericNode() async -> String? {
        guard let registry else { return binding?.drive?.genericNode }
        return await registry.binding(device: device.name)?.drive?.genericNode
    }

    /// Reads the drive's TapeAlert flags through its sg node (st drives only; nothing while the drive is absent).
    private func readTapeAlert() async {
        guard let driveHealth, offlineReason == nil else { return }
        await driveHealth.refresh(device: device.name, genericNode: await genericNode())
    }

    private func requireOnline(_ job: String) throws {
        if let offlineReason { throw StorageDaemonError.volume(job: job, reason: offlineReason) }
    }

    /// A real drive must rewind and eject the cartridge (MTOFFL) before the library can take it out; emulated
    /// libraries do not care. Failures (no cartridge, drive gone) are logged, and the changer's move decides.
    /// MTOFFL rewinds first (a minute on a full LTO cartridge): it runs on a thread of its own.
    private func ejectForUnload() async {
        guard isLinuxDrive, offlineReason == nil else { return }
        let node = driveNode
        do {
            try await ThreadBridge.run(name: "eject \(device.name)") {
                let drive = try LinuxTapeDrive(path: node, writable: false)
                try drive.unload()
                try drive.close()
            }
        } catch {
            logger.info("ejecting the cartridge before the unload failed: \(error)")
        }
    }

    /// A Linux st drive (not a virtual tape, not a File device).
    var isLinuxDrive: Bool { !isVirtual && !isFileDevice }

    /// After a changer load a real drive takes seconds to minutes to thread the tape: polls it (its own open of the
    /// node, closed again, on a thread of its own) until it is online, at most Maximum Changer Wait.
    func waitForDriveReady() async throws {
        guard isLinuxDrive else { return }
        try requireOnline("?")
        let node = driveNode
        let timeout = Duration.seconds(max(1, device.maximumChangerWait))
        try await ThreadBridge.run(name: "ready \(device.name)") {
            let drive = try LinuxTapeDrive(path: node, writable: false)
            try drive.waitUntilReady(timeout: timeout)
            try drive.close()
        }
    }

    /// mtx's number of this Device's drive in its changer. A native SCSI library is asked which drive element
    /// holds the drive with this Device's serial (its DVCID); Drive Index only when the library reports no drive
    /// identifiers at all. Script changers and the virtual library use Drive Index, as Bacula does.
    private func changerDriveNumber(_ elements: [ChangerElement]) async throws -> Int {
        guard changer is SCSIMediaChanger, let registry, let serial = binding?.serial else { return device.driveIndex }
        let drives = SCSIMediaChanger.drives(elements)
        guard drives.contains(where: { $0.driveSerial != nil || $0.driveSerialPrefix != nil }) else {
            logger.warning("the library reports no drive serials; using Drive Index \(device.driveIndex)")
            return device.driveIndex
        }
        let inventory = await registry.devices()
        let matches = ChangerDriveMatching.match(elements: elements, drives: inventory.drives, unitSerial: UnitSerialProbe.serial)
        guard let match = matches.first(where: { $0.drive.answers(to: serial) }) else {
            throw StorageDaemonError.volume(
                job: "?", reason: "no drive element of the library holds drive \(serial) of device \(device.name) "
                    + "(drive serials reported: \(drives.map { $0.driveSerial ?? $0.driveSerialPrefix.map { $0 + "…" } ?? "none" }.joined(separator: ", ")))")
        }
        return match.driveNumber
    }

    /// Opens the drive (the cartridge now in it), writable; on a File device the volume's file.
    private func openDrive(volume: String? = nil) throws -> any TapeDrive {
        if isFileDevice {
            guard let volume = volume ?? loadedVolume else {
                throw StorageDaemonError.volume(job: "?", reason: "no volume named for File device \(device.name)")
            }
            return try FileVolumeDrive(path: filePath(volume), writable: true)
        }
        if isVirtual {
            let capacity = device.maximumVolumeSize > 0 ? Int64(clamping: device.maximumVolumeSize) : nil
            let rated = device.maximumTapeRate > 0 ? VirtualTape.RatedSpeed(
                bytesPerSecond: Int(clamping: device.maximumTapeRate), bufferBytes: Int(clamping: device.tapeBufferSize),
                minimumBytesPerSecond: Int(clamping: device.minimumTapeRate)) : nil
            let tape = try VirtualTape(
                path: device.archiveDevice, writable: true, capacity: capacity,
                earlyWarningZone: capacity.map { min($0 / 20, 4 << 20) } ?? 0, ratedSpeed: rated)
            if device.failWriteAtBlock > 0 {
                let (record, fired) = (device.failWriteAtBlock, writeFaultFired)
                tape.writeFault = { number in
                    number == record && fired.update { done in defer { done = true }; return !done }
                }
            }
            return tape
        }
        try requireOnline("?")
        return try LinuxTapeDrive(path: driveNode)
    }

    /// The label of a file volume; nil when the file is missing or empty.
    /// The size of the file at `path` in bytes, 0 when it cannot be read.
    private static func fileSize(_ path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    private func fileLabel(_ path: String) throws -> VolumeLabel? {
        guard Self.fileSize(path) > 0 else { return nil }
        return try VolumeStream(path: path).label
    }

    /// The label at the beginning of the tape in `drive`; nil for a blank tape, a tape that starts with anything
    /// else, or an undecodable first block (what tgt hands back for a blank cartridge; see `probeVolumeLabel`).
    static func readLabel(_ drive: any TapeDrive) throws -> VolumeLabel? {
        if case .label(let label, _) = try drive.probeVolumeLabel() { return label }
        return nil
    }

    // MARK: Changer

    /// Console commands need the drive to themselves.
    func requireIdle() async throws {
        guard openJobs == 0 else {
            throw StorageDaemonError.volume(job: "console", reason: "device \(device.name) is busy with \(openJobs) job(s)")
        }
        try await closePath()
    }

    /// Opens the drive for a console command (not through the data path).
    func openDriveForCommand() throws -> any TapeDrive { try openDrive(volume: loadedVolume) }

    /// Loads the cartridge of `slot` (mtx numbering) into this device's drive, unloading another one first.
    func loadSlot(_ slot: Int) async throws {
        guard let changer else {
            throw StorageDaemonError.volume(job: "console", reason: "device \(device.name) has no autochanger")
        }
        try requireOnline("console")
        let elements = try await changer.inventory()
        let drives = elements.filter { $0.kind == .drive }.sorted { $0.address < $1.address }
        let slots = elements.filter { $0.kind == .slot }.sorted { $0.address < $1.address }
            + elements.filter { $0.kind == .importExport }.sorted { $0.address < $1.address }
        let number = try await changerDriveNumber(elements)
        guard number < drives.count, slot >= 1, slot <= slots.count else {
            throw StorageDaemonError.volume(job: "console", reason: "no slot \(slot) or drive \(number) in the autochanger")
        }
        if drives[number].full {
            if let source = drives[number].sourceAddress, source == slots[slot - 1].address { return }
            await ejectForUnload()
            changerMoves += 1
            _ = try await changer.unload(drive: number)
        }
        guard slots[slot - 1].full || slots[slot - 1].barcode != nil else {
            throw StorageDaemonError.volume(job: "console", reason: "slot \(slot) is empty")
        }
        changerMoves += 1
        logger.info("loading slot \(slot) into drive \(number)")
        try await changer.load(slot: slot, drive: number)
        loadedVolume = nil
    }

    /// For another Device of the library that needs `barcode`: nil when this drive does not hold it, false when it
    /// does but a job is using it, true once it is back in its slot.
    func release(barcode: String) async throws -> Bool? {
        guard let changer else { return nil }
        let elements = try await changer.inventory()
        let drives = SCSIMediaChanger.drives(elements)
        guard let number = try? await changerDriveNumber(elements), number < drives.count, drives[number].barcode == barcode
        else { return nil }
        guard openJobs == 0 else { return false }
        try await closePath()
        logger.info("giving \(barcode) back to its slot for another drive")
        return try await unloadToHomeSlot()
    }

    /// Unloads this Device's drive to its home slot; false when it was empty.
    func unloadToHomeSlot() async throws -> Bool {
        guard let changer else { return false }
        let elements = try await changer.inventory()
        let drives = SCSIMediaChanger.drives(elements)
        let number = try await changerDriveNumber(elements)
        guard number < drives.count, drives[number].full else { return false }
        await ejectForUnload()
        changerMoves += 1
        _ = try await changer.unload(drive: number)
        loadedVolume = nil
        return true
    }

    /// This device has jobs open on `volume`.
    func isWriting(_ volume: String) -> Bool { openJobs > 0 && loadedVolume == volume }

    /// Makes `volume` the cartridge in this device's drive: unloads another one, loads it from its slot by barcode.
    /// Errors name `job`.
    private func load(volume: String, job: String) async throws {
        guard changer != nil else { return }
        do {
            try await loadWithChanger(volume: volume)
        } catch StorageDaemonError.volume(_, let reason) {
            changerErrors += 1
            throw StorageDaemonError.volume(job: job, reason: reason)
        } catch {
            changerErrors += 1
            throw error
        }
    }

    private func loadWithChanger(volume: String) async throws {
        guard let changer else { return }
        var elements = try await changer.inventory()
        var drives = elements.filter { $0.kind == .drive }.sorted { $0.address < $1.address }
        let index = try await changerDriveNumber(elements)
        guard index < drives.count else {
            throw StorageDaemonError.volume(job: "?", reason: "the autochanger has no drive \(index) for device \(device.name)")
        }
        if drives[index].barcode == volume { return }
        if let other = drives.firstIndex(where: { $0.barcode == volume }) {
            // In another drive of the library: that drive gives it back to its slot when it is idle.
            guard let releaseFromPeer, try await releaseFromPeer(volume, device.name) else {
                throw StorageDaemonError.volume(
                    job: "?", reason: "volume \"\(volume)\" is in drive \(other) of the autochanger, which is busy")
            }
            elements = try await changer.inventory()
            drives = SCSIMediaChanger.drives(elements)
        }
        if drives[index].full {
            logger.info("unloading \(drives[index].barcode ?? "a cartridge") from drive \(index)")
            await ejectForUnload()
            changerMoves += 1
            _ = try await changer.unload(drive: index)
        }
        let slots = elements.filter { $0.kind == .slot }.sorted { $0.address < $1.address }
            + elements.filter { $0.kind == .importExport }.sorted { $0.address < $1.address }
        var slotNumber: Int
        if let slot = slots.firstIndex(where: { $0.barcode == volume }) {
            slotNumber = slot + 1
        } else if let library = changer as? VirtualLibrary, device.labelMedia {
            // A new volume the Director created with Label Format: the virtual library makes a blank tape for it.
            slotNumber = try await library.insertBlankCartridge(barcode: volume)
            logger.info("created blank cartridge \(volume) in slot \(slotNumber)")
        } else {
            throw StorageDaemonError.volume(
                job: "?", reason: "volume \"\(volume)\" is not in the autochanger (no slot holds that barcode)")
        }
        logger.info("loading \(volume) from slot \(slotNumber) into drive \(index)")
        changerMoves += 1
        try await changer.load(slot: slotNumber, drive: index)
    }

    /// Loads `volume` and opens the drive: `.append` when it carries that label, `.relabel` when blank (and
    /// Label Media allows it, or the volume was labelled by the `label` command as PRE_LABEL).
    private func mount(volume info: VolumeInfo, pool: UseStorageCommand, job: String) async throws -> VolumeMount {
        if isFileDevice {
            let path = filePath(info.volumeName)
            let exists = FileManager.default.fileExists(atPath: path)
            if !exists, !device.labelMedia {
                throw StorageDaemonError.volume(
                    job: job, reason: "volume \"\(info.volumeName)\" is not on device \"\(device.name)\" (\(device.archiveDevice)) "
                        + "and Label Media is off: label it first")
            }
        } else {
            try await load(volume: info.volumeName, job: job)
        }
        try await waitForDriveReady()
        let drive = try openDrive(volume: info.volumeName)
        if isLinuxDrive {
            logger.info("opened drive", metadata: ["node": "\(driveNode)", "serial": "\(driveSerial ?? "?")"])
            await readTapeAlert()
        }
        let found = try isFileDevice ? fileLabel(filePath(info.volumeName)) : Self.readLabel(drive)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var label = found ?? VolumeLabel(
            labelTime: now, writeTime: now, volumeName: info.volumeName, poolName: pool.poolName,
            mediaType: pool.mediaType, hostName: ProcessInfo.processInfo.hostName, labelProgram: storageName,
            programVersion: CapstanVersion.text, programDate: "26Nov26")
        let medium: VolumeMount.Medium
        if let found {
            guard found.volumeName == info.volumeName else {
                throw StorageDaemonError.volume(
                    job: job, reason: "the tape in \(device.name) is labelled \"\(found.volumeName)\", not \"\(info.volumeName)\"")
            }
            // A volume the Director recycled (status Recycle) is written afresh from its label, like a new one; so
            // is one that holds only its label. A File volume that holds more than its label is never relabelled on
            // the strength of a catalog record that says it is empty: that record is stale, and the data on the
            // volume was acknowledged to its jobs.
            let written = isFileDevice ? max(info.volumeBytes, Self.fileSize(filePath(info.volumeName))) : info.volumeBytes
            medium = written <= 1024 || info.volumeStatus == "Recycle" ? .relabel : .append
        } else {
            guard device.labelMedia || changer != nil else {
                throw StorageDaemonError.volume(
                    job: job, reason: "the volume in \(device.name) is blank and Label Media is off: label it first")
            }
            medium = .relabel
        }
        if isFileDevice, medium == .relabel { try drive.rewind() }
        if medium == .append { try await recoverForAppend(drive, info: info, job: job) }
        label.poolName = pool.poolName
        loadedVolume = info.volumeName
        return VolumeMount(drive: drive, label: label, medium: medium)
    }

    // MARK: Jobs

    /// Opens `job` on the mounted volume (mounting `volume` first when no data path runs). A job for another pool
    /// waits until the running jobs are done (woken when the last one ends). Returns the producer the job's records
    /// go to.
    func openJob(
        _ job: DeviceJob, volume: @Sendable () async throws -> VolumeInfo, pool: UseStorageCommand, spool: Bool,
        director: DirectorSession
    ) async throws -> sending (JobSpooler, VolumeInfo) {
        while true {
            if pathOpening {
                // Another job is mounting and opening the data path: join what it opens (or open the next one).
                await withCheckedContinuation { openingWaiters.append($0) }
                continue
            }
            if let running = pathPool, running != pool.poolName, openJobs > 0 {
                logger.info(
                    "waits for the running jobs of another pool to end",
                    metadata: ["job": "\(job.name)", "device": "\(device.name)", "pool": "\(pool.poolName)", "running": "\(running)"])
                try await waitForRunningJobs()
                continue
            }
            break
        }
        if dataPath == nil || pathPool != pool.poolName {
            // One opening at a time: the actor runs other calls while this one waits for the changer and the drive.
            pathOpening = true
            defer {
                pathOpening = false
                for waiter in openingWaiters { waiter.resume() }
                openingWaiters = []
            }
            try await closePath()
            let info = try await volume()
            let mount = try await mount(volume: info, pool: pool, job: job.name)
            volumes[info.volumeName] = info
            let spoolDirectory = device.spoolDirectory ?? Self.defaultSpoolDirectory
            let configuration = SpoolConfiguration(
                directory: spoolDirectory, storageName: storageName, deviceName: device.name,
                maximumSpoolSize: Int64(clamping: device.maximumSpoolSize > 0 ? device.maximumSpoolSize : 1 << 34),
                maximumJobSpoolSize: Int64(clamping: device.maximumJobSpoolSize > 0 ? device.maximumJobSpoolSize : 1 << 34),
                blockSize: device.effectiveBlockSize, despoolStartBlocks: streams ? nil : 1,
                memoryBlocks: Int(clamping: device.spoolMemorySize / UInt64(max(1, device.effectiveBlockSize))))
            let owner = DriveWriter.Owner(
                nextVolume: { [weak self] end in
                    guard let self else { throw StorageDaemonError.volume(job: "?", reason: "device gone") }
                    return try await self.nextVolume(after: end, pool: pool)
                },
                jobMedia: { [segments] segment in
                    segments.withLock { $0[segment.jobID, default: []].append(segment) }
                },
                underrun: { [logger] job, total in
                    // The first and then every 100th: an unspooled job from a slow client underruns at every block,
                    // and a line per block would cost more than the block. The count is in `status storage`.
                    guard total == 1 || total % 100 == 0 else { return }
                    logger.warning(
                        "drive underrun: the drive ran dry while streaming", metadata: ["job": "\(job)", "underruns": "\(total)"])
                })
            let drive: DriveWriter.Configuration =
                isFileDevice
                ? .fileVolumes(blockSize: device.effectiveBlockSize, maximumVolumeBytes: Int64(clamping: volumeLimit(info)))
                : .init(
                    blockSize: device.effectiveBlockSize, maximumFileSize: Int(clamping: device.maximumFileSize),
                    start: streams ? Self.driveStart : nil)
            dataPath = try DeviceDataPath(spool: configuration, drive: drive, firstVolume: mount, owner: owner)
            pathPool = pool.poolName
            if mount.medium == .relabel {
                await director.message(
                    .info, "Labeled new Volume \"\(info.volumeName)\" on \(isFileDevice ? "File" : "Tape") device "
                        + "\"\(device.name)\" (\(device.archiveDevice)).")
            }
        }
        guard let dataPath, let name = loadedVolume, let info = volumes[name] else {
            throw StorageDaemonError.volume(job: job.name, reason: "no volume mounted on \(device.name)")
        }
        openJobs += 1
        do {
            // Spooled jobs go to disk first and are despooled in turns; the others send their blocks straight to the
            // drive writer's queue, interleaved with other jobs block by block.
            let producer = spool ? try await dataPath.openJob(job) : try await dataPath.openDirectJob(job)
            return (producer, info)
        } catch {
            openJobs -= 1
            if openJobs == 0 { wakePoolWaiters() }
            throw error
        }
    }

    /// Suspends until the device's running jobs have all ended (`wakePoolWaiters`); throws `CancellationError` when
    /// the task is cancelled meanwhile.
    private func waitForRunningJobs() async throws {
        let ticket = nextPoolTicket
        nextPoolTicket += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                poolWaiters[ticket] = continuation
            }
        } onCancel: {
            Task { await self.cancelPoolWait(ticket) }
        }
    }

    private func cancelPoolWait(_ ticket: Int) {
        poolWaiters.removeValue(forKey: ticket)?.resume(throwing: CancellationError())
    }

    /// The running jobs have ended: every job waiting to open for another pool checks again.
    private func wakePoolWaiters() {
        let waiting = poolWaiters
        poolWaiters = [:]
        for waiter in waiting.values { waiter.resume() }
    }

    /// Maximum Volume Bytes of the volume (the catalog's, else the Device's Maximum Volume Size), 0 = none.
    private func volumeLimit(_ info: VolumeInfo) -> UInt64 {
        info.maximumVolumeBytes > 0 ? info.maximumVolumeBytes : device.maximumVolumeSize
    }

    /// End of medium: the full volume is reported Full, the Director names the next one, it is loaded and labelled.
    private func nextVolume(after end: EndOfMedium, pool: UseStorageCommand) async throws -> VolumeMount {
        guard let director = jobs.entry(forJobID: end.jobID)?.director else {
            throw StorageDaemonError.directorGone(job: "JobId \(end.jobID)")
        }
        var full = MediaUpdate(volumeName: end.volumeName)
        if let info = volumes[end.volumeName] {
            full.volumeJobs = info.volumeJobs
            full.volumeMounts = max(1, info.volumeMounts)
            full.maximumVolumeBytes = info.maximumVolumeBytes
            full.slot = info.slot
            full.inChanger = info.inChanger
        }
        full.volumeBytes = UInt64(max(0, end.bytes))
        full.volumeBlocks = UInt32(max(0, end.blocks))
        full.volumeFiles = UInt32(max(0, end.filemarks))
        full.volumeStatus = end.writeError == nil ? "Full" : "Error"
        // The job's end reports the volume with this status too, even when the job's last block is on it (the next
        // volume failed before its first block): an Append there would undo the end of medium.
        volumes[end.volumeName]?.volumeStatus = full.volumeStatus
        if end.writeError != nil { full.volumeErrors = 1 }
        full.endTime = Int64(Date().timeIntervalSince1970)
        full.volumeType = UInt32(volumeType)
        _ = try await director.request(.updateMedia(jobID: end.jobID, full))
        if let writeError = end.writeError {
            logger.error("write error on volume \(end.volumeName), marked Error: \(writeError)")
            await director.message(
                .error, "Write error on Volume \"\(end.volumeName)\" after block \(end.blocks) on device \"\(device.name)\": "
                    + "\(writeError). Marked Volume \"\(end.volumeName)\" in Error; the job continues on the next volume.")
        } else {
            await director.message(.info, "End of medium on Volume \"\(end.volumeName)\" Bytes=\(end.bytes) Blocks=\(end.blocks). Marked Full.")
        }
        var last = "no answer"
        for index in 1...VolumeManager.findMediaAttempts {
            let reply = try await director.request(
                .findMedia(
                    jobID: end.jobID, index: index, poolName: pool.poolName, mediaType: pool.mediaType, volumeType: volumeType))
            guard case .volume(let info) = reply, info.volumeName != end.volumeName else {
                last = "\(reply)"
                continue
            }
            if let other = await writingElsewhere?(info.volumeName, device.name) {
                last = "volume \"\(info.volumeName)\" is in use on device \(other)"
                continue
            }
            let mount = try await mount(volume: info, pool: pool, job: "JobId \(end.jobID)")
            volumes[info.volumeName] = info
            await director.message(.info, "New volume \"\(info.volumeName)\" mounted on device \"\(device.name)\"; the job continues.")
            return mount
        }
        throw StorageDaemonError.volume(job: "JobId \(end.jobID)", reason: "no next volume after \(end.volumeName): \(last)")
    }

    /// A job's JobMedia segments (one per volume part) and the catalog records of the volumes they are on; called
    /// once the job committed. Closes the data path when it was the last job.
    func finishJob(_ jobID: UInt32) async -> (
        segments: [JobMediaSegment], volumes: [String: VolumeInfo], drive: DriveStatistics?
    ) {
        let mine = segments.withLock { $0.removeValue(forKey: jobID) } ?? []
        openJobs = max(0, openJobs - 1)
        if isLinuxDrive { await readTapeAlert() }
        let known = volumes
        let drive = dataPath?.statistics
        if openJobs == 0 {
            try? await closePath()
            wakePoolWaiters()
        }
        return (mine, known, drive)
    }

    /// Bytes of spool memory the device's jobs hold now; 0 with no data path open.
    var spoolMemoryBytes: Int { dataPath?.spoolMemoryBytes ?? 0 }

    /// Drive counters for `status` and metrics since the daemon started; rates and queue from the open data path.
    func statistics() -> DriveStatistics? {
        guard let current = dataPath?.statistics else { return closedPaths.blocks == 0 ? nil : closedPaths }
        var total = Self.adding(current, to: closedPaths)
        total.currentRate = current.currentRate
        total.averageRate = current.averageRate
        total.queuedBlocks = current.queuedBlocks
        total.waitingForData = current.waitingForData
        total.producersWaitingForBuffers = current.producersWaitingForBuffers
        return total
    }

    private func closePath() async throws {
        guard let path = dataPath else { return }
        dataPath = nil
        pathPool = nil
        defer { closedPaths = Self.adding(path.statistics, to: closedPaths) }
        _ = try await path.close()
    }

    /// The counters of the data paths this device closed (one per mount), so `statistics()` counts since start.
    private var closedPaths = DriveStatistics()

    /// `finished` plus the countable parts of `more` (blocks, bytes, underruns, filemarks, volumes).
    static func adding(_ more: DriveStatistics, to finished: DriveStatistics) -> DriveStatistics {
        var sum = finished
        sum.blocks += more.blocks
        sum.bytes += more.bytes
        sum.underruns += more.underruns
        sum.filemarks += more.filemarks
        sum.volumes += more.volumes
        return sum
    }

    /// Loads `volume` for reading and returns the path of the drive's image (virtual tapes) or of the volume file;
    /// errors name `job`.
    func prepareRead(volume: String, job: String) async throws -> String {
        if isFileDevice {
            let path = filePath(volume)
            guard FileManager.default.fileExists(atPath: path) else {
                throw StorageDaemonError.volume(job: job, reason: "volume \"\(volume)\" is not on device \"\(device.name)\" (\(path))")
            }
            return path
        }
        guard openJobs == 0 else {
            throw StorageDaemonError.volume(job: job, reason: "device \(device.name) is busy writing")
        }
        try requireOnline(job)
        try await closePath()
        try await load(volume: volume, job: job)
        try await waitForDriveReady()
        loadedVolume = volume
        return isVirtual ? device.archiveDevice : driveNode
    }
}
