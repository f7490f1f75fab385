import BaculaVolume
import Foundation
import Logging
import StorageProtocol
import TapeDevices

/// A VirtualFull on the Storage daemon (no File daemon): reads the records its bootstrap selects from the read
/// reservation's volumes, in order and across volumes, and appends them as one new session (this job's
/// VolSessionId/Time) on the write reservation's device, FileIndex renumbered 1…N across the source jobs
/// (`FileIndexRenumbering`). Attributes go to the Director inline (UpdCat) as for a backup; JobMedia and volume use
/// are reported by `VolumeManager.finishAppend`; the job ends with `3099 Job … end`.
final class VirtualFullJob: @unchecked Sendable {
    let job: StorageJob
    let daemon: StorageDaemon
    let director: DirectorSession
    var logger: Logger
    private var renumbering = FileIndexRenumbering()
    private var bytes: UInt64 = 0
    private var failure: String?

    init(job: StorageJob, daemon: StorageDaemon, director: DirectorSession, logger: Logger) {
        self.job = job
        self.daemon = daemon
        self.director = director
        self.logger = logger
    }

    func run() async {
        await director.status(.running)
        var append: VolumeManager.DeviceAppend?
        do {
            guard let bootstrap = daemon.jobs.entry(job.name)?.bootstrap else {
                throw StorageDaemonError.volume(job: job.name, reason: "the Director sent no bootstrap for the VirtualFull")
            }
            let names = await daemon.volumes.volumeNames(job: job, bootstrap: bootstrap)
            guard !names.isEmpty else {
                throw StorageDaemonError.volume(job: job.name, reason: "the bootstrap names no volume")
            }
            let reservation = await daemon.volumes.reservation(for: job.name)
            let label = FileDaemonSession.sessionLabel(for: job, pool: reservation?.use)
            let opened = try await daemon.volumes.openAppend(job: job, label: label, session: director)
            append = opened
            daemon.jobs.update(job.name) {
                $0.device = opened.device.name
                $0.volume = opened.volume.volumeName
            }
            logger.info("VirtualFull writing", metadata: ["volume": "\(opened.volume.volumeName)", "device": "\(opened.device.name)"])
            try await copy(volumes: names, bootstrap: bootstrap, to: opened)
        } catch {
            failure = failure ?? "\(error)"
        }
        await finish(append)
    }

    private func copy(volumes names: [String], bootstrap: Bootstrap, to append: VolumeManager.DeviceAppend) async throws {
        let readDevice = await daemon.volumes.readReservation(for: job.name)?.device.name ?? "?"
        var previous: VolumeStream?
        var count = 0
        for name in names {
            let path = try await daemon.volumes.prepareRead(job: job, volume: name)
            let stream = try VolumeStream(path: path, bootstrap: bootstrap)
            if let previous { stream.continueAfter(previous) }
            previous = stream
            await director.message(.info, "Ready to read from volume \"\(name)\" on device \"\(readDevice)\" (\(path)).")
            while let event = try stream.next() {
                switch event {
                case .record(let record) where record.fileIndex > 0:
                    try await store(renumbering.renumber(record), into: append)
                    daemon.jobs.addBytesRead(record.data.count, device: readDevice)
                    count += 1
                    if count % 256 == 0, let entry = daemon.jobs.entry(job.name), entry.canceled || entry.failure != nil {
                        throw StorageDaemonError.volume(job: job.name, reason: entry.failure ?? "canceled")
                    }
                case .damagedBlock(let error):
                    await director.message(.error, "volume \(name): \(error); skipping that block")
                default:
                    continue
                }
            }
        }
    }

    private func store(_ record: Record, into append: VolumeManager.DeviceAppend) async throws {
        do {
            try await append.spooler.append(fileIndex: record.fileIndex, stream: record.stream, data: record.data)
        } catch {
            throw StorageDaemonError.volume(job: job.name, reason: "writing to device \(append.device.name): \(error)")
        }
        bytes &+= UInt64(record.data.count)
        let (files, total) = (UInt32(renumbering.lastFileIndex), bytes)
        daemon.jobs.update(job.name) {
            $0.files = files
            $0.bytes = total
        }
        if !job.command.noAttributes && FileDaemonSession.isCatalogued(record.stream) {
            let update = AttributeUpdate(
                jobID: job.jobID, sessionID: job.sessionID, sessionTime: job.sessionTime, fileIndex: record.fileIndex,
                stream: record.stream, data: record.data)
            await director.sendWithoutReply([.fileAttributes(update)])
        }
    }

    private func finish(_ append: VolumeManager.DeviceAppend?) async {
        let files = UInt32(renumbering.lastFileIndex)
        if let append {
            let canceled = daemon.jobs.entry(job.name)?.canceled == true
            do {
                _ = try await append.spooler.commit(
                    status: canceled ? "A" : failure == nil ? "T" : "E", errors: failure == nil ? 0 : 1)
            } catch {
                failure = failure ?? "committing to device \(append.device.name): \(error)"
            }
            await daemon.volumes.finishAppend(job: job, append: append, files: files, bytes: bytes, session: director)
        }
        let entry = daemon.jobs.entry(job.name)
        if let reason = entry?.failure { failure = reason }
        let status: JobStatus = entry?.canceled == true ? .canceled : failure == nil ? .terminated : .error
        if let failure, status != .canceled {
            logger.error("VirtualFull failed: \(failure)")
            await director.message(.fatal, failure)
        }
        if let started = entry?.started {
            let seconds = max(1, Date().timeIntervalSince(started))
            let elapsed = Int(seconds)
            await director.message(
                .info,
                String(format: "Elapsed time=%02d:%02d:%02d, Transfer rate=%@ Bytes/second", elapsed / 3600,
                    (elapsed / 60) % 60, elapsed % 60, StatusReport.grouped(UInt64(Double(bytes) / seconds))))
        }
        logger.info("job ended", metadata: ["status": "\(status)", "files": "\(files)", "bytes": "\(bytes)"])
        await director.jobEnded(
            JobEndReport(
                job: job.name, status: status, jobFiles: files, jobBytes: bytes,
                jobErrors: status == .terminated ? 0 : 1, errorMessage: failure ?? ""))
        daemon.jobs.finish(job.name)
        await daemon.volumes.release(job: job.name)
    }
}
