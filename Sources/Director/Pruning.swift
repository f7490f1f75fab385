import Catalog
import Foundation

/// Retention: jobs past their client's Job Retention are removed, files past File Retention dropped from their
/// jobs, and volumes past Volume Retention whose jobs are all gone become Purged (AutoPrune runs this after
/// each job; `prune` on demand).
enum Pruning {
    static func prune(runtime: DirectorRuntime, what: String, client: String?, volume: String?) throws -> String {
        let catalog = runtime.catalog
        let configuration = runtime.configuration
        let now = CatalogTime.now()
        var removedJobs = 0
        var removedFiles = 0
        if what.hasPrefix("job") || what.hasPrefix("file") {
            for resource in configuration.clients where client == nil || client == resource.name {
                for job in try catalog.jobs(clientName: resource.name) where job.endTime > 0 {
                    if what.hasPrefix("job"), now - job.endTime > resource.jobRetention {
                        try catalog.deleteJob(id: job.jobID)
                        removedJobs += 1
                    } else if what.hasPrefix("file"), now - job.endTime > resource.fileRetention, job.purgedFiles == 0 {
                        removedFiles += try catalog.purgeFiles(jobID: job.jobID)
                    }
                }
            }
        }
        var purged: [String] = []
        if what.hasPrefix("vol") || what.hasPrefix("job") {
            for media in try catalog.media() where volume == nil || volume == media.volumeName {
                guard ["Full", "Used"].contains(media.volumeStatus), media.lastWritten > 0,
                    now - media.lastWritten > media.volumeRetention
                else { continue }
                let jobs = try VolumeCommands.jobIDs(onVolume: media.mediaID, catalog)
                for job in jobs { try catalog.deleteJob(id: job) }
                var changed = media
                changed.volumeStatus = "Purged"
                try catalog.saveMedia(changed)
                purged.append(media.volumeName)
            }
        }
        var text = ""
        if what.hasPrefix("job") { text += "Pruned \(removedJobs) Job\(removedJobs == 1 ? "" : "s") from catalog.\n" }
        if what.hasPrefix("file") { text += "Pruned Files from \(removedFiles) Job\(removedFiles == 1 ? "" : "s").\n" }
        for name in purged { text += "Volume \"\(name)\" contains no jobs after pruning.\n" }
        return text.isEmpty ? "No Jobs, Files or Volumes to prune.\n" : text
    }
}
