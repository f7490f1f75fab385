import CapstanConfig
import Foundation
import Logging
import StorageProtocol
import TapeDevices

/// What capstan-sd puts right after it was killed mid-job (SIGKILL, a crash, a power cut), see docs/faults.md:
/// - at start, spool files left by jobs of the previous run are removed (no job survives a restart);
/// - when a volume is next mounted for appending, it is cut back to its last complete block (a file volume is
///   truncated there; a virtual tape loses its torn record and the tape file the dead writer left open is closed
///   with a filemark), and a file volume's size is reconciled with the catalog's VolBytes as Bacula does: a
///   volume larger than the catalog says (the dead job's blocks) corrects the catalog; a smaller one is marked
///   Error and not written.
enum CrashRecovery {
    /// Removes every spool file of the configured devices: `<SD>.data.<JobId>.<Job>.<Device>.spool` (spec §9). Called
    /// before the daemon listens, when no job of this run can own one. Returns the paths removed.
    @discardableResult
    static func removeStaleSpoolFiles(configuration: StorageDaemonConfiguration, logger: Logger) -> [String] {
        var removed: [String] = []
        let storage = configuration.storage.name
        for device in configuration.devices {
            let directory = device.spoolDirectory ?? DeviceRuntime.defaultSpoolDirectory
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names.sorted()
            where name.hasPrefix(storage + ".data.") && name.hasSuffix("." + device.name + ".spool") {
                let path = directory + "/" + name
                let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
                do {
                    try FileManager.default.removeItem(atPath: path)
                    removed.append(path)
                    logger.warning(
                        "removed stale spool file of a job that did not end before the daemon stopped",
                        metadata: ["device": "\(device.name)", "path": "\(path)", "bytes": "\(size)"])
                } catch {
                    logger.error("cannot remove stale spool file \(path): \(error)", metadata: ["device": "\(device.name)"])
                }
            }
        }
        return removed
    }
}

extension DeviceRuntime {
    /// Spool Directory when the Device names none.
    static let defaultSpoolDirectory = "/var/spool/capstan"

    /// Before a job appends to `info` in `drive`: cuts a torn tail a killed writer left, then (File devices)
    /// compares the volume's size with the catalog's VolBytes (Bacula's "sizes do not match" check). Throws when
    /// the volume is shorter than the catalog says: it is marked Error and not written.
    func recoverForAppend(_ drive: any TapeDrive, info: VolumeInfo, job: String) async throws {
        let director = jobs.entry(job)?.director
            ?? job.split(separator: " ").last.flatMap { UInt32($0) }.flatMap { jobs.entry(forJobID: $0)?.director }
        if let tape = drive as? VirtualTape, let recovery = try tape.recoverTornTail() {
            let text = "Volume \"\(info.volumeName)\" recovered to its last complete block: image cut from "
                + "\(recovery.sizeBefore) to \(recovery.sizeAfter) bytes"
                + (recovery.closedOpenFile ? ", the tape file left open closed with a filemark" : "")
            logger.warning("\(text)", metadata: ["volume": "\(info.volumeName)"])
            await director?.message(.warning, text + ".")
        }
        guard let file = drive as? FileVolumeDrive else { return }
        if let recovery = try file.recoverTornTail() {
            let text = "Volume \"\(info.volumeName)\" recovered to its last complete block"
                + (recovery.lastBlockNumber.map { " (block \($0))" } ?? "") + ": truncated from "
                + "\(recovery.sizeBefore) to \(recovery.sizeAfter) bytes"
            logger.warning("\(text)", metadata: ["volume": "\(info.volumeName)"])
            await director?.message(.warning, text + ".")
        }
        let size = UInt64(file.size)
        guard size != info.volumeBytes, let director, let jobID = jobs.entry(job)?.job.jobID ?? UInt32(job.split(separator: " ").last ?? "")
        else { return }
        var update = MediaUpdate(volumeName: info.volumeName)
        update.volumeJobs = info.volumeJobs
        update.volumeMounts = max(1, info.volumeMounts)
        update.maximumVolumeBytes = info.maximumVolumeBytes
        update.slot = info.slot
        update.inChanger = info.inChanger
        update.volumeType = UInt32(volumeType)
        update.endTime = Int64(Date().timeIntervalSince1970)
        if size > info.volumeBytes {
            let text = "For Volume \"\(info.volumeName)\": the sizes do not match! Volume=\(size) Catalog=\(info.volumeBytes). "
                + "Correcting the catalog (blocks of a job that did not end)."
            logger.warning("\(text)", metadata: ["volume": "\(info.volumeName)"])
            await director.message(.warning, text)
            update.volumeBytes = size
            update.volumeStatus = info.volumeStatus
            _ = try await director.request(.updateMedia(jobID: jobID, update))
        } else {
            let text = "Cannot write on Volume \"\(info.volumeName)\": the sizes do not match! Volume=\(size) "
                + "Catalog=\(info.volumeBytes): data the catalog records is missing. Marking the Volume in Error."
            logger.error("\(text)", metadata: ["volume": "\(info.volumeName)"])
            await director.message(.error, text)
            update.volumeBytes = info.volumeBytes
            update.volumeStatus = "Error"
            _ = try? await director.request(.updateMedia(jobID: jobID, update))
            throw StorageDaemonError.volume(job: job, reason: text)
        }
    }
}
