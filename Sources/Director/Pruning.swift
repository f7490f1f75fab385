import Catalog
import Foundation

/// Retention: jobs past their client's Job Retention are removed, files past File Retention dropped from their
/// jobs, and volumes past Volume Retention have their jobs removed and become Purged. After each job a client
/// with AutoPrune has its files and jobs pruned; a pool with AutoPrune has its volumes pruned when a job finds no
/// volume to write (`StorageCatalogService`); `prune` runs any of them on demand.
enum Pruning {
    static func prune(runtime: DirectorRuntime, what: String, client: String?, volume: String?) throws -> String {
        let catalog = runtime.catalog
        let configuration = runtime.configuration
        var removedJobs = 0
        var removedFiles = 0
        if what.hasPrefix("job") || what.hasPrefix("file") {
            for resource in configuration.clients where client == nil || client == resource.name {
                if what.hasPrefix("job") {
                    removedJobs += try pruneJobs(catalog, client: resource)
                } else {
                    removedFiles += try pruneFiles(catalog, client: resource)
                }
            }
        }
        var purged: [String] = []
        if what.hasPrefix("vol") || what.hasPrefix("job") {
            purged = try pruneVolumes(catalog, poolName: nil, volume: volume)
        }
        var text = ""
        if what.hasPrefix("job") { text += "Pruned \(removedJobs) Job\(removedJobs == 1 ? "" : "s") from catalog.\n" }
        if what.hasPrefix("file") { text += "Pruned Files from \(removedFiles) Job\(removedFiles == 1 ? "" : "s").\n" }
        for name in purged { text += "Volume \"\(name)\" contains no jobs after pruning.\n" }
        return text.isEmpty ? "No Jobs, Files or Volumes to prune.\n" : text
    }

    /// Removes the client's jobs that ended longer than Job Retention ago; returns how many.
    static func pruneJobs(
        _ catalog: CatalogDatabase, client: DirectorConfiguration.Client, now: Int64 = CatalogTime.now()
    )
        throws -> Int
    {
        var removed = 0
        for job in try catalog.jobs(clientName: client.name)
        where job.endTime > 0 && now - job.endTime > client.jobRetention {
            try catalog.deleteJob(id: job.jobID)
            removed += 1
        }
        return removed
    }

    /// Drops the File rows of the client's jobs that ended longer than File Retention ago (the Job rows stay,
    /// marked PurgedFiles); returns how many jobs lost files.
    static func pruneFiles(
        _ catalog: CatalogDatabase, client: DirectorConfiguration.Client, now: Int64 = CatalogTime.now()
    )
        throws -> Int
    {
        var removed = 0
        for job in try catalog.jobs(clientName: client.name)
        where job.endTime > 0 && job.purgedFiles == 0 && now - job.endTime > client.fileRetention {
            removed += try catalog.purgeFiles(jobID: job.jobID)
        }
        return removed
    }

    /// Full or Used volumes (of `poolName`, or named `volume`, or all) last written longer than their Volume
    /// Retention ago: their jobs are removed and they become Purged. Returns their names.
    static func pruneVolumes(
        _ catalog: CatalogDatabase, poolName: String?, volume: String?, now: Int64 = CatalogTime.now()
    )
        throws -> [String]
    {
        var purged: [String] = []
        for media in try catalog.media(poolName: poolName) where volume == nil || volume == media.volumeName {
            guard ["Full", "Used"].contains(media.volumeStatus), media.lastWritten > 0,
                now - media.lastWritten > media.volumeRetention
            else { continue }
            try purge(catalog, media)
            purged.append(media.volumeName)
        }
        return purged
    }

    /// Removes every job on the volume from the catalog and marks it Purged.
    static func purge(_ catalog: CatalogDatabase, _ media: MediaRow) throws {
        for job in try VolumeCommands.jobIDs(onVolume: media.mediaID, catalog) { try catalog.deleteJob(id: job) }
        var changed = media
        changed.volumeStatus = "Purged"
        try catalog.saveMedia(changed)
    }
}
