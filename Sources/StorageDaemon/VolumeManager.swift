import BaculaVolume
import CapstanConfig
import Changers
import Foundation
import Logging
import StorageProtocol
import TapeDevices

/// Devices and volumes for the daemon's jobs: reserves a configured device for a job (`use storage`), asks the
/// Director which volume to use (FindMedia / GetVolInfo, spec §3.3.5), labels new volumes on devices with
/// `Label Media = yes`, keeps one writer per device, and reports JobMedia and volume statistics when a job ends.
actor VolumeManager {
    struct Reservation: Sendable {
        var device: StorageDaemonConfiguration.Device
        var appends: Bool
        var use: UseStorageCommand
        /// The Director's answer to FindMedia at reservation time (nil when it had none yet).
        var volume: VolumeInfo?
    }

    enum ReservationOutcome: Sendable {
        case reserved(device: String)
        case unavailable(device: String, reason: String)
    }

    /// A volume open for one job's records.
    struct AppendMount: @unchecked Sendable {
        var appender: FileVolumeAppender
        var volume: VolumeInfo
        var device: StorageDaemonConfiguration.Device
        var labelled: Bool
    }

    /// A job appending through a tape device's data path.
    struct TapeAppend: @unchecked Sendable {
        var runtime: DeviceRuntime
        var spooler: JobSpooler
        var volume: VolumeInfo
        var device: StorageDaemonConfiguration.Device
    }

    let configuration: StorageDaemonConfiguration
    let logger: Logger
    private var reservations: [String: Reservation] = [:]
    private var locks: [String: DeviceLock] = [:]
    /// Tape-like devices (virtual tapes, st drives) by Device name.
    private var runtimes: [String: DeviceRuntime] = [:]
    /// How many times FindMedia is asked before the job gives up (each answer the SD cannot use asks the next).
    static let findMediaAttempts: Int32 = 5

    init(configuration: StorageDaemonConfiguration, jobs: JobRegistry, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var changers: [String: any MediaChanger] = [:]
        for changer in configuration.autochangers {
            do {
                changers[changer.name] = try ChangerFactory.make(autochanger: changer.name, in: configuration)
            } catch {
                logger.error("autochanger \(changer.name) is unusable: \(error)")
            }
        }
        for device in configuration.devices {
            locks[device.name] = DeviceLock()
            guard !Self.isFileDevice(device) else { continue }
            let changer = configuration.autochangers.first { $0.devices.contains(device.name) }.flatMap { changers[$0.name] }
            runtimes[device.name] = DeviceRuntime(
                device: device, changer: changer, storageName: configuration.storage.name, jobs: jobs, logger: logger)
        }
    }

    /// The volume in a tape device's drive and its drive counters (nil for File devices).
    func driveState(device name: String) async -> (volume: String?, statistics: DriveStatistics?)? {
        guard let runtime = runtimes[name] else { return nil }
        return (await runtime.loadedVolume, await runtime.statistics())
    }

    /// Changer moves and errors per tape device.
    func changerCounters() async -> [(device: String, moves: Int, errors: Int)] {
        var out: [(String, Int, Int)] = []
        for name in runtimes.keys.sorted() {
            guard let runtime = runtimes[name] else { continue }
            out.append((name, await runtime.changerMoves, await runtime.changerErrors))
        }
        return out
    }

    /// Whether the job's reserved device writes file volumes (else a tape-like device with a data path).
    func writesFileVolumes(job: String) -> Bool {
        reservations[job].map { Self.isFileDevice($0.device) } ?? true
    }

    /// Opens a job on its tape device's data path (mounting, loading and labelling as needed).
    func openTapeAppend(job: StorageJob, label: SessionLabel, session: DirectorSession) async throws -> TapeAppend {
        guard let reservation = reservations[job.name], reservation.appends, let runtime = runtimes[reservation.device.name]
        else {
            throw StorageDaemonError.volume(job: job.name, reason: "no tape device was reserved for writing")
        }
        let deviceJob = DeviceJob(sessionID: job.sessionID, sessionTime: job.sessionTime, label: label)
        let reserved = reservation.volume
        let (spooler, volume) = try await runtime.openJob(
            deviceJob,
            volume: {
                if let reserved { return reserved }
                return try await self.findVolume(job: job, reservation: reservation, session: session)
            },
            pool: reservation.use, spool: job.command.spoolData, director: session)
        return TapeAppend(runtime: runtime, spooler: spooler, volume: volume, device: reservation.device)
    }

    /// Reports a tape job's JobMedia segments and volume use to the Director.
    @discardableResult
    func finishTapeAppend(job: StorageJob, append: TapeAppend, files: UInt32, bytes: UInt64, session: DirectorSession)
        async -> DriveStatistics?
    {
        let (segments, volumes, drive) = await append.runtime.finishJob(job.jobID)
        if let drive {
            await session.message(
                .info, "Drive \(append.device.name): \(drive.blocks) blocks, average rate "
                    + "\(StatusReport.grouped(UInt64(max(0, drive.averageRate)))) bytes/s, drive underruns=\(drive.underruns).")
        }
        do {
            let records = segments.map { segment in
                JobMediaRecord(
                    firstIndex: UInt32(max(0, segment.firstFileIndex)), lastIndex: UInt32(max(0, segment.lastFileIndex)),
                    start: segment.start.rawValue, end: segment.end.rawValue,
                    mediaID: Int64(volumes[segment.volumeName]?.mediaID ?? append.volume.mediaID))
            }
            if !records.isEmpty {
                let reply = try await session.request(.createJobMedia(jobID: job.jobID, records))
                if reply != .jobMediaCreated {
                    await session.message(.error, "Director refused the JobMedia records: \(reply)")
                }
            }
            for name in Set(segments.map(\.volumeName)) {
                guard let info = volumes[name] else { continue }
                var update = MediaUpdate(volumeName: name)
                update.volumeJobs = info.volumeJobs &+ 1
                update.volumeBytes = info.volumeBytes &+ (name == segments.last?.volumeName ? bytes : 0)
                update.volumeFiles = (segments.last { $0.volumeName == name }).map { UInt32(truncatingIfNeeded: $0.end.rawValue >> 32) } ?? 0
                update.volumeMounts = max(1, info.volumeMounts)
                update.maximumVolumeBytes = info.maximumVolumeBytes
                update.endTime = Int64(Date().timeIntervalSince1970)
                update.volumeFirstWritten = info.volumeWriteTime == 0 ? update.endTime : 0
                update.volumeStatus = name == segments.last?.volumeName
                    ? volumeStatusAfterJob(info, jobs: update.volumeJobs, bytes: update.volumeBytes) : "Full"
                update.slot = info.slot
                update.inChanger = info.inChanger
                update.volumeType = 2
                _ = try await session.request(.updateMedia(jobID: job.jobID, update))
            }
        } catch {
            logger.warning("could not report volume use of job \(job.name): \(error)")
        }
        return drive
    }

    var storageName: String { configuration.storage.name }

    /// Bacula's device type numbers in catalog requests (`vol_type`): 1 file, 2 tape, 5 vtape.
    static func volumeType(_ device: StorageDaemonConfiguration.Device) -> Int32 {
        switch device.deviceType?.lowercased() {
        case "file": return 1
        case "vtape": return 5
        case "tape": return 2
        default: return isDirectory(device.archiveDevice) ? 1 : 2
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    static func isFileDevice(_ device: StorageDaemonConfiguration.Device) -> Bool { volumeType(device) == 1 }

    // MARK: Reservation

    /// Picks the first device the Director offered that exists here with the right media type; for a writing job
    /// asks the catalog for a volume (FindMedia) before the Director hears `3000 OK use device`.
    func reserve(job: StorageJob, request: ReservationRequest, session: DirectorSession) async -> ReservationOutcome {
        var offered = "?"
        for storage in request.storages {
            for name in storage.devices {
                offered = name
                let candidates = devices(named: name).filter { $0.mediaType == storage.storage.mediaType }
                guard let device = candidates.first else { continue }
                var reservation = Reservation(device: device, appends: storage.storage.append, use: storage.storage)
                if reservation.appends {
                    reservation.volume = try? await findVolume(job: job, reservation: reservation, session: session)
                }
                reservations[job.name] = reservation
                return .reserved(device: device.name)
            }
        }
        return .unavailable(
            device: offered,
            reason: "Device \"\(offered)\" is not a Device or Autochanger of \(storageName) with Media Type "
                + "\"\(request.storages.first?.storage.mediaType ?? "?")\"")
    }

    private func devices(named name: String) -> [StorageDaemonConfiguration.Device] {
        if let changer = configuration.autochangers.first(where: { $0.name == name }) {
            return configuration.devices.filter { changer.devices.contains($0.name) }
        }
        return configuration.devices.filter { $0.name == name }
    }

    func reservation(for job: String) -> Reservation? { reservations[job] }

    /// Forgets the job's reservation.
    func release(job: String) { reservations[job] = nil }

    /// Asks the Director for an appendable volume of the job's pool: FindMedia=1, 2, ... until one this device can
    /// use comes back.
    private func findVolume(job: StorageJob, reservation: Reservation, session: DirectorSession) async throws
        -> VolumeInfo
    {
        var last = "no answer"
        for index in 1...Self.findMediaAttempts {
            let reply = try await session.request(
                .findMedia(
                    jobID: job.jobID, index: index, poolName: reservation.use.poolName,
                    mediaType: reservation.use.mediaType, volumeType: Self.volumeType(reservation.device)))
            switch reply {
            case .volume(let info):
                if usable(info, on: reservation.device) { return info }
                last = "volume \"\(info.volumeName)\" (\(info.volumeStatus)) cannot be used on \(reservation.device.name)"
            case .noMedia(let reason):
                throw StorageDaemonError.volume(job: job.name, reason: "the Director has no appendable volume in pool "
                    + "\"\(reservation.use.poolName)\": \(reason)")
            default:
                last = "\(reply)"
            }
        }
        throw StorageDaemonError.volume(job: job.name, reason: last)
    }

    /// A file device can use a volume whose file is absent (it will label it, if allowed) or holds that volume.
    private func usable(_ info: VolumeInfo, on device: StorageDaemonConfiguration.Device) -> Bool {
        guard info.volumeStatus == "Append" || info.volumeStatus == "Recycle" || info.volumeStatus == "Purged" else {
            return false
        }
        guard Self.isFileDevice(device) else { return true }
        let path = device.archiveDevice + "/" + info.volumeName
        guard FileManager.default.fileExists(atPath: path) else { return device.labelMedia }
        return (try? VolumeStream(path: path))?.label?.volumeName == info.volumeName
    }

    // MARK: Appending

    /// Waits for the job's device, gets its volume (labelling a new one), and opens it after its last block.
    func mountForAppend(job: StorageJob, session: DirectorSession) async throws -> AppendMount {
        guard var reservation = reservations[job.name], reservation.appends else {
            throw StorageDaemonError.volume(job: job.name, reason: "no device was reserved for writing")
        }
        let device = reservation.device
        guard Self.isFileDevice(device) else {
            throw StorageDaemonError.volume(
                job: job.name, reason: "device \"\(device.name)\" is a tape device; this Storage daemon writes File devices only")
        }
        guard let lock = locks[device.name] else {
            throw StorageDaemonError.volume(job: job.name, reason: "unknown device \(device.name)")
        }
        await lock.acquire()
        do {
            let volume: VolumeInfo
            if let reserved = reservation.volume, usable(reserved, on: device) {
                volume = reserved
            } else {
                volume = try await findVolume(job: job, reservation: reservation, session: session)
            }
            // The catalog's current record for it (another job may have written to it since).
            var info = volume
            if case .volume(let current) = try await session.request(
                .volumeInfo(jobID: job.jobID, volumeName: volume.volumeName, forWriting: true))
            {
                info = current
            }
            reservation.volume = info
            reservations[job.name] = reservation
            let path = device.archiveDevice + "/" + info.volumeName
            var labelled = false
            var nextBlock: UInt32 = 1
            if !FileManager.default.fileExists(atPath: path) || fileSize(path) == 0 {
                guard device.labelMedia else {
                    throw StorageDaemonError.volume(
                        job: job.name,
                        reason: "volume \"\(info.volumeName)\" is not on device \"\(device.name)\" (\(device.archiveDevice)) "
                            + "and Label Media is off: label it first")
                }
                try writeLabel(volume: info, pool: reservation.use, path: path, blockSize: device.effectiveBlockSize)
                labelled = true
                var update = MediaUpdate(volumeName: info.volumeName)
                update.volumeBytes = UInt64(fileSize(path))
                update.volumeMounts = 1
                update.volumeWrites = 1
                update.relabel = true
                update.volumeStatus = "Append"
                update.volumeType = UInt32(Self.volumeType(device))
                update.volumeFirstWritten = Int64(Date().timeIntervalSince1970)
                update.endTime = update.volumeFirstWritten
                update.maximumVolumeBytes = info.maximumVolumeBytes
                if case .volume(let updated) = try await session.request(.updateMedia(jobID: job.jobID, update)) {
                    info = updated
                }
                await session.message(
                    .info, "Labeled new Volume \"\(info.volumeName)\" on File device \"\(device.name)\" (\(device.archiveDevice)).")
            } else {
                nextBlock = try lastBlockNumber(path: path, volume: info.volumeName) &+ 1
            }
            let appender = try FileVolumeAppender(
                path: path, volumeName: info.volumeName, blockSize: device.effectiveBlockSize, nextBlockNumber: nextBlock)
            return AppendMount(appender: appender, volume: info, device: device, labelled: labelled)
        } catch {
            await lock.release()
            throw error
        }
    }

    /// Reports the job's part of the volume to the Director (JobMedia, UpdateMedia) and frees the device.
    func finishAppend(
        job: StorageJob, mount: AppendMount, endAddress: UInt64?, session: DirectorSession
    ) async {
        defer { Task { await locks[mount.device.name]?.release() } }
        let appender = mount.appender
        do {
            if let endAddress {
                let record = JobMediaRecord(
                    firstIndex: UInt32(max(0, appender.firstFileIndex)), lastIndex: UInt32(max(0, appender.lastFileIndex)),
                    start: appender.sessionStart, end: endAddress, mediaID: Int64(mount.volume.mediaID))
                let reply = try await session.request(.createJobMedia(jobID: job.jobID, [record]))
                if reply != .jobMediaCreated {
                    await session.message(.error, "Director refused the JobMedia record for volume \(mount.volume.volumeName): \(reply)")
                }
            }
            var update = MediaUpdate(volumeName: mount.volume.volumeName)
            update.volumeJobs = mount.volume.volumeJobs &+ 1
            update.volumeFiles = 0
            update.volumeBlocks = mount.volume.volumeBlocks &+ appender.blocksWritten
            update.volumeBytes = appender.volumeBytes
            update.volumeMounts = max(1, mount.volume.volumeMounts)
            update.volumeErrors = mount.volume.volumeErrors
            update.volumeWrites = UInt32(truncatingIfNeeded: mount.volume.volumeWrites) &+ appender.blocksWritten
            update.maximumVolumeBytes = mount.volume.maximumVolumeBytes
            update.endTime = Int64(Date().timeIntervalSince1970)
            update.volumeFirstWritten = mount.volume.volumeWriteTime == 0 ? update.endTime : 0
            update.volumeStatus = volumeStatusAfterJob(mount.volume, jobs: update.volumeJobs, bytes: update.volumeBytes)
            update.slot = mount.volume.slot
            update.inChanger = mount.volume.inChanger
            update.volumeType = UInt32(Self.volumeType(mount.device))
            if update.volumeStatus != "Append" {
                await session.message(
                    .info, "Volume \"\(mount.volume.volumeName)\" is now \(update.volumeStatus) (Maximum Volume "
                        + (update.volumeStatus == "Used" ? "Jobs" : "Bytes") + " reached).")
            }
            _ = try await session.request(.updateMedia(jobID: job.jobID, update))
        } catch {
            logger.warning("could not report volume use of job \(job.name): \(error)")
        }
    }

    private func volumeStatusAfterJob(_ volume: VolumeInfo, jobs: UInt32, bytes: UInt64) -> String {
        if volume.maximumVolumeJobs > 0 && jobs >= volume.maximumVolumeJobs { return "Used" }
        if volume.maximumVolumeBytes > 0 && bytes >= volume.maximumVolumeBytes { return "Full" }
        return "Append"
    }

    private func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Writes block 0 of a new file volume: the VOL_LABEL.
    private func writeLabel(volume: VolumeInfo, pool: UseStorageCommand, path: String, blockSize: Int) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let label = VolumeLabel(
            labelTime: now, writeTime: now, volumeName: volume.volumeName, poolName: pool.poolName,
            mediaType: pool.mediaType, hostName: ProcessInfo.processInfo.hostName, labelProgram: storageName,
            programVersion: CapstanVersion.text, programDate: "26Nov26", blockSize: 0)
        var writer = VolumeWriter(medium: .file, blockSize: blockSize)
        let file = try FileVolumeWriter(path: path, truncate: true)
        try writer.writeLabel(label) { output in
            if case .block(let bytes) = output { try file.write(bytes) }
        }
        try file.close()
    }

    /// The block number of the last good block of a file volume (appending continues the numbering).
    private func lastBlockNumber(path: String, volume: String) throws -> UInt32 {
        let stream = try VolumeStream(path: path)
        guard stream.label?.volumeName == volume else {
            throw StorageDaemonError.volume(
                job: "?", reason: "\(path) holds volume \"\(stream.label?.volumeName ?? "?")\", not \"\(volume)\"")
        }
        var last: UInt32 = 0
        while let event = try stream.next() {
            if case .block(let header, _) = event { last = header.blockNumber }
        }
        return last
    }

    // MARK: Reading

    /// The volume names a reading job's bootstrap lists, in order.
    func volumeNames(job: StorageJob, bootstrap: Bootstrap) -> [String] {
        var names: [String] = []
        for entry in bootstrap.entries {
            for name in entry.volumes where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Makes `volume` readable for the job and returns the path to open: a file volume on a File device, or the
    /// drive image after loading the cartridge on a virtual tape device.
    func prepareRead(job: StorageJob, volume: String) async throws -> String {
        guard let reservation = reservations[job.name] else {
            throw StorageDaemonError.volume(job: job.name, reason: "no device was reserved for reading")
        }
        if let runtime = runtimes[reservation.device.name] {
            return try await runtime.prepareRead(volume: volume)
        }
        return try volumesForRead(job: job, names: [volume])[0].path
    }

    /// The volume files of a File device.
    func volumesForRead(job: StorageJob, names: [String]) throws -> [(name: String, path: String)] {
        guard let reservation = reservations[job.name] else {
            throw StorageDaemonError.volume(job: job.name, reason: "no device was reserved for reading")
        }
        return try names.map { name in
            let path = reservation.device.archiveDevice + "/" + name
            guard FileManager.default.fileExists(atPath: path) else {
                throw StorageDaemonError.volume(
                    job: job.name, reason: "volume \"\(name)\" is not on device \"\(reservation.device.name)\" (\(path))")
            }
            return (name, path)
        }
    }

    // MARK: Device commands

    /// `label`, `mount`, ... from a console through the Director: the lines to send back (DeviceCommands.swift).
    func deviceCommand(_ command: DirectorCommand, session: DirectorSession) async -> [[UInt8]] {
        await deviceCommandLines(command)
    }

    func runtimeFor(device name: String) -> DeviceRuntime? { runtimes[name] }
}
