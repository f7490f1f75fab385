import BaculaVolume
import CapstanConfig
import Changers
import Discovery
import Foundation
import Logging
import StorageProtocol
import Synchronization
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

    /// A job appending through its device's data path.
    struct DeviceAppend: @unchecked Sendable {
        var runtime: DeviceRuntime
        var spooler: JobSpooler
        var volume: VolumeInfo
        var device: StorageDaemonConfiguration.Device
    }

    let configuration: StorageDaemonConfiguration
    let logger: Logger
    private var reservations: [String: Reservation] = [:]
    /// The read reservation of a job that also writes (VirtualFull), kept when its write reservation comes.
    private var readReservations: [String: Reservation] = [:]
    /// Tape-like devices (virtual tapes, st drives) by Device name.
    private var runtimes: [String: DeviceRuntime] = [:]
    private let peers: LibraryPeers
    /// How many times FindMedia is asked before the job gives up (each answer the SD cannot use asks the next).
    static let findMediaAttempts: Int32 = 5

    init(configuration: StorageDaemonConfiguration, jobs: JobRegistry, driveHealth: DriveHealth? = nil, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var changers: [String: any MediaChanger] = [:]
        for changer in configuration.autochangers {
            // Bacula's disk autochanger (File devices, `Changer Device = /dev/null`) groups devices; it has no changer.
            let members = configuration.devices.filter { changer.devices.contains($0.name) }
            if !members.isEmpty && members.allSatisfy(Self.isFileDevice) {
                logger.info("autochanger \(changer.name) groups File devices: no changer to drive")
                continue
            }
            do {
                changers[changer.name] = try ChangerFactory.make(autochanger: changer.name, in: configuration)
            } catch {
                logger.error("autochanger \(changer.name) is unusable: \(error)")
            }
        }
        let peers = LibraryPeers(configuration: configuration)
        var runtimes: [String: DeviceRuntime] = [:]
        for device in configuration.devices {
            let changer = configuration.autochangers.first { $0.devices.contains(device.name) }.flatMap { changers[$0.name] }
            runtimes[device.name] = DeviceRuntime(
                device: device, changer: changer, storageName: configuration.storage.name, jobs: jobs, logger: logger,
                driveHealth: driveHealth, releaseFromPeer: { barcode, requester in try await peers.release(barcode, for: requester) },
                writingElsewhere: { volume, requester in await peers.writing(volume, otherThan: requester) })
        }
        peers.set(runtimes)
        self.peers = peers
        self.runtimes = runtimes
    }

    // MARK: Discovery

    /// Tracks the st drives of the configuration by serial through `registry` and follows its events until the
    /// task is cancelled: a drive that disappears takes its Device offline and fails the jobs using it; one that
    /// comes back (possibly on another node) makes its Device usable again.
    func follow(_ registry: DeviceRegistry, jobs: JobRegistry) async {
        let events = await registry.events()
        for binding in await registry.bindings() {
            await runtimes[binding.device.name]?.attach(registry: registry, binding: binding)
        }
        for await event in events {
            let name: String
            switch event {
            case .appeared(let b), .disappeared(let b): name = b.device.name
            }
            guard let runtime = runtimes[name], let reason = await runtime.driveChanged(event) else { continue }
            for job in jobs.jobs(onDevice: name) {
                logger.error("failing job \(job): \(reason)")
                jobs.fail(job, reason: "device \"\(name)\" went offline: \(reason)")
            }
        }
    }

    /// Why each offline Device is offline.
    func offlineDevices() async -> [String: String] {
        var out: [String: String] = [:]
        for (name, runtime) in runtimes {
            if let reason = await runtime.offlineReason { out[name] = reason }
        }
        return out
    }

    /// The volume a device has mounted, its drive counters since start (nil before it wrote a block) and the spool
    /// memory its jobs hold now.
    func driveState(device name: String) async -> (volume: String?, statistics: DriveStatistics?, spoolMemory: Int)? {
        guard let runtime = runtimes[name] else { return nil }
        return (await runtime.loadedVolume, await runtime.statistics(), await runtime.spoolMemoryBytes)
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

    /// Opens a job on its device's data path (mounting, loading and labelling as needed).
    func openAppend(job: StorageJob, label: SessionLabel, session: DirectorSession) async throws -> DeviceAppend {
        guard let reservation = reservations[job.name], reservation.appends, let runtime = runtimes[reservation.device.name]
        else {
            throw StorageDaemonError.volume(job: job.name, reason: "no device was reserved for writing")
        }
        let deviceJob = DeviceJob(
            sessionID: job.sessionID, sessionTime: job.sessionTime, label: label, spoolSize: job.command.spoolSize)
        let reserved = reservation.volume
        let (spooler, volume) = try await runtime.openJob(
            deviceJob,
            volume: {
                if let reserved, let current = await self.currentRecord(of: reserved, job: job, reservation: reservation, session: session) {
                    return current
                }
                return try await self.findVolume(job: job, reservation: reservation, session: session)
            },
            pool: reservation.use, spool: job.command.spoolData, director: session)
        return DeviceAppend(runtime: runtime, spooler: spooler, volume: volume, device: reservation.device)
    }

    /// Reports a job's JobMedia segments and volume use to the Director.
    @discardableResult
    func finishAppend(job: StorageJob, append: DeviceAppend, files: UInt32, bytes: UInt64, session: DirectorSession)
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
                update.volumeStatus = info.volumeStatus == "Error" || info.volumeStatus == "Full" ? info.volumeStatus
                    : name == segments.last?.volumeName
                    ? volumeStatusAfterJob(info, jobs: update.volumeJobs, bytes: update.volumeBytes) : "Full"
                update.slot = info.slot
                update.inChanger = info.inChanger
                update.volumeType = UInt32(Self.volumeType(append.device))
                if Self.isFileDevice(append.device) {
                    let path = append.device.archiveDevice + "/" + name
                    let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value
                    update.volumeBytes = size ?? update.volumeBytes
                    update.volumeFiles = 0
                }
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
        var waited = false
        var unavailableReason: String?
        let offline = await offlineDevices()
        for storage in request.storages {
            for name in storage.devices {
                offered = name
                var candidates = devices(named: name).filter { $0.mediaType == storage.storage.mediaType }
                guard !candidates.isEmpty else { continue }
                // A Device whose drive is not present takes no job.
                candidates.removeAll { offline[$0.name] != nil }
                guard !candidates.isEmpty else {
                    let reasons = offline.keys.sorted().compactMap { offline[$0] }.joined(separator: "; ")
                    await session.message(.warning, "Device \"\(name)\" is offline: \(reasons)")
                    unavailableReason = "Device \"\(name)\" is offline: \(reasons)"
                    offered = name
                    continue
                }
                // Maximum Concurrent Jobs of the Storage resource and of each Device: wait for room, preferring an
                // idle drive of an autochanger (Bacula's "Jobs waiting to reserve a drive").
                var device: StorageDaemonConfiguration.Device?
                while device == nil {
                    let storageFull = configuration.storage.maximumConcurrentJobs > 0
                        && reservations.count >= configuration.storage.maximumConcurrentJobs
                    let choice = DriveChoice.pick(
                        candidates.map { device in
                            DriveChoice.Candidate(
                                name: device.name, jobs: load(device), hasRoom: hasRoom(device),
                                writingPools: writingPools(device))
                        },
                        pool: storage.storage.append ? storage.storage.poolName : nil,
                        preferMounted: job.command.preferMountedVolumes)
                    device = storageFull ? nil : candidates.first { $0.name == choice }
                    if device == nil {
                        if !waited {
                            waited = true
                            logger.info("job \(job.name) waits for a device: Maximum Concurrent Jobs reached")
                            await session.message(.info, "Waiting for a free device: Maximum Concurrent Jobs reached on \(name).")
                        }
                        try? await Task.sleep(for: .milliseconds(250))
                        if Task.isCancelled { return .unavailable(device: name, reason: "canceled while waiting for a device") }
                    }
                }
                guard let device else { continue }
                let reservation = Reservation(device: device, appends: storage.storage.append, use: storage.storage)
                if let existing = reservations[job.name], !existing.appends, reservation.appends {
                    readReservations[job.name] = existing
                }
                // Recorded before the first suspension: a job reserving meanwhile counts this one on its device.
                reservations[job.name] = reservation
                if reservation.appends {
                    // findVolume records the volume in the reservation as it chooses it
                    _ = try? await findVolume(job: job, reservation: reservation, session: session)
                }
                return .reserved(device: device.name)
            }
        }
        if let unavailableReason { return .unavailable(device: offered, reason: unavailableReason) }
        return .unavailable(
            device: offered,
            reason: "Device \"\(offered)\" is not a Device or Autochanger of \(storageName) with Media Type "
                + "\"\(request.storages.first?.storage.mediaType ?? "?")\"")
    }

    /// Jobs holding a reservation on `device`.
    private func load(_ device: StorageDaemonConfiguration.Device) -> Int {
        (Array(reservations.values) + Array(readReservations.values)).filter { $0.device.name == device.name }.count
    }

    /// Pools of the writing jobs reserved on `device`.
    private func writingPools(_ device: StorageDaemonConfiguration.Device) -> Set<String> {
        Set(reservations.values.filter { $0.appends && $0.device.name == device.name }.map(\.use.poolName))
    }

    /// The device other than `device` that has `volume` reserved for a writing job, if any: a volume is used by
    /// one device at a time. Synchronous, so that a check and the claim after it (`findVolume`) are one step.
    private func reservedElsewhere(_ volume: String, otherThan device: String) -> String? {
        reservations.values.first { $0.appends && $0.device.name != device && $0.volume?.volumeName == volume }?.device.name
    }

    private func hasRoom(_ device: StorageDaemonConfiguration.Device) -> Bool {
        device.maximumConcurrentJobs == 0 || load(device) < device.maximumConcurrentJobs
    }

    private func devices(named name: String) -> [StorageDaemonConfiguration.Device] {
        if let changer = configuration.autochangers.first(where: { $0.name == name }) {
            return configuration.devices.filter { changer.devices.contains($0.name) }
        }
        return configuration.devices.filter { $0.name == name }
    }

    func reservation(for job: String) -> Reservation? { reservations[job] }

    /// Forgets the job's reservation.
    func release(job: String) {
        reservations[job] = nil
        readReservations[job] = nil
    }

    /// The device a job reads from: its read reservation when it also writes, else its only one.
    func readReservation(for job: String) -> Reservation? { readReservations[job] ?? reservations[job] }

    /// The catalog record of the volume chosen at reservation time as it is now (`GetVolInfo write=1`), when the
    /// device can still append to it; nil when it cannot (then a volume is looked for anew). A job may open its data
    /// path long after its reservation (its File daemon came late), and another job may have written, filled or
    /// used up that volume since: the record from the reservation would take a written volume for a new one.
    private func currentRecord(
        of reserved: VolumeInfo, job: StorageJob, reservation: Reservation, session: DirectorSession
    ) async -> VolumeInfo? {
        let reply = try? await session.request(
            .volumeInfo(jobID: job.jobID, volumeName: reserved.volumeName, forWriting: true))
        guard case .volume(let info)? = reply, info.volumeName == reserved.volumeName, usable(info, on: reservation.device)
        else {
            logger.info(
                "the reserved volume can no longer be appended to; asking the Director for another",
                metadata: ["job": "\(job.name)", "volume": "\(reserved.volumeName)"])
            return nil
        }
        return info
    }

    /// Asks the Director for an appendable volume of the job's pool: FindMedia=1, 2, ... until one this device can
    /// use, and no other device is writing or has reserved, comes back; records it in the job's reservation (the
    /// claim other devices see).
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
                let device = reservation.device.name
                // Bacula asks for the next one (index + 1) then: the Director names another volume or makes one.
                if let other = await peers.writing(info.volumeName, otherThan: device)
                    ?? reservedElsewhere(info.volumeName, otherThan: device)
                {
                    last = "volume \"\(info.volumeName)\" is in use on device \(other)"
                    logger.info("\(last); asking the Director for another", metadata: ["job": "\(job.name)"])
                    continue
                }
                if usable(info, on: reservation.device) {
                    if reservations[job.name]?.appends == true { reservations[job.name]?.volume = info }
                    return info
                }
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

    private func volumeStatusAfterJob(_ volume: VolumeInfo, jobs: UInt32, bytes: UInt64) -> String {
        if volume.maximumVolumeJobs > 0 && jobs >= volume.maximumVolumeJobs { return "Used" }
        if volume.maximumVolumeBytes > 0 && bytes >= volume.maximumVolumeBytes { return "Full" }
        return "Append"
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
        guard let reservation = readReservations[job.name] ?? reservations[job.name] else {
            throw StorageDaemonError.volume(job: job.name, reason: "no device was reserved for reading")
        }
        guard let runtime = runtimes[reservation.device.name] else {
            throw StorageDaemonError.volume(job: job.name, reason: "unknown device \(reservation.device.name)")
        }
        return try await runtime.prepareRead(volume: volume, job: job.name)
    }

    // MARK: Device commands

    /// `label`, `mount`, ... from a console through the Director: the lines to send back (DeviceCommands.swift).
    func deviceCommand(_ command: DirectorCommand, session: DirectorSession) async -> [[UInt8]] {
        await deviceCommandLines(command)
    }

    func runtimeFor(device name: String) -> DeviceRuntime? { runtimes[name] }
}

/// The Devices of each autochanger, so that one drive can ask another of its library for a cartridge.
final class LibraryPeers: Sendable {
    private let configuration: StorageDaemonConfiguration
    private let runtimes = Mutex<[String: DeviceRuntime]>([:])

    init(configuration: StorageDaemonConfiguration) { self.configuration = configuration }

    func set(_ runtimes: [String: DeviceRuntime]) { self.runtimes.withLock { $0 = runtimes } }

    /// The Device other than `device` (of any autochanger, or none) writing `volume` now, if any.
    func writing(_ volume: String, otherThan device: String) async -> String? {
        for (name, runtime) in runtimes.withLock({ $0 }) where name != device {
            if await runtime.isWriting(volume) { return name }
        }
        return nil
    }

    /// Asks the other Devices of `requester`'s autochanger to give `barcode` back to its slot: true when one did,
    /// false when none holds it or the one holding it is busy.
    func release(_ barcode: String, for requester: String) async throws -> Bool {
        guard let changer = configuration.autochangers.first(where: { $0.devices.contains(requester) }) else { return false }
        for name in changer.devices where name != requester {
            guard let peer = runtimes.withLock({ $0[name] }) else { continue }
            if let released = try await peer.release(barcode: barcode) { return released }
        }
        return false
    }
}
