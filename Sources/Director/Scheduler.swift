import CapstanConfig
import Catalog
import Foundation

/// Starts scheduled jobs: once per minute it queues every enabled Job whose Schedule fires in that minute, with
/// the Run line's overrides. Each minute is looked at once (a minute the Director was not running is not made up
/// later, and none is started twice).
enum Scheduler {
    /// One scheduled start.
    struct Start: Sendable, Equatable {
        var job: String
        var level: String
        var priority: Int
        var time: Int64
        var request: JobRequest
    }

    /// The jobs that start in the minute beginning at `minute` (Unix seconds, a multiple of 60).
    static func starts(_ configuration: DirectorConfiguration, minute: Int64) -> [Start] {
        var result: [Start] = []
        for job in configuration.jobs where job.enabled {
            guard let name = job.schedule, let schedule = configuration.schedules.first(where: { $0.name == name }),
                schedule.enabled
            else { continue }
            for run in schedule.runs where ScheduleTimes(run.when).fires(atUnix: minute) {
                var request = JobRequest(jobName: job.name)
                for override in run.overrides {
                    switch override.name.lowercased().replacingOccurrences(of: " ", with: "") {
                    case "level": request.level = JobRequest.levelLetter(override.value)
                    case "pool": request.pool = override.value
                    case "storage": request.storage = override.value
                    case "priority": request.priority = Int(override.value)
                    case "spooldata": request.spoolData = override.value.lowercased() == "yes"
                    case "fullpool" where (request.level ?? "F") == "F": request.pool = override.value
                    case "incrementalpool" where request.level == "I": request.pool = override.value
                    case "differentialpool" where request.level == "D": request.pool = override.value
                    default: break
                    }
                }
                request.when = minute
                result.append(
                    Start(
                        job: job.name, level: request.level ?? JobRequest.levelLetter(job.level) ?? "F",
                        priority: request.priority ?? job.priority, time: minute, request: request))
            }
        }
        return result
    }

    /// The starts of the next `hours` hours (for `status dir`).
    static func upcoming(_ configuration: DirectorConfiguration, from now: Int64, hours: Int) -> [Start] {
        guard configuration.jobs.contains(where: { $0.schedule != nil }) else { return [] }
        var result: [Start] = []
        var minute = now - now % 60 + 60
        let end = now + Int64(hours) * 3600
        while minute <= end && result.count < 50 {
            result += starts(configuration, minute: minute)
            minute += 60
        }
        return result
    }

    /// Runs until cancelled: at each minute boundary queues that minute's starts.
    static func run(_ runtime: DirectorRuntime) async {
        var last = CatalogTime.now() / 60 * 60
        while !Task.isCancelled {
            let now = CatalogTime.now()
            let next = last + 60
            if now < next {
                try? await Task.sleep(for: .milliseconds(Int((next - now) * 1000) + 50))
                continue
            }
            last = next
            for start in starts(runtime.configuration, minute: next) {
                do {
                    var request = start.request
                    request.when = nil
                    _ = try runtime.queue(request)
                } catch {
                    runtime.logger.error("scheduled job \(start.job) not queued: \(error)")
                }
            }
        }
    }
}
