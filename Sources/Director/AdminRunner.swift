import Catalog
import Foundation
import Logging

/// Runs one `Type = Admin` job: no Storage or File daemon, only the job's Director scripts — the before scripts,
/// then the job's end (`T`, or `E` when a script that fails its job failed), the report, the after scripts — as
/// bacula-dir runs an Admin job (catalog maintenance, scripts on a schedule).
struct AdminRunner {
    let runtime: DirectorRuntime
    let jobID: Int64
    let resource: DirectorConfiguration.Job
    let configuration: DirectorConfiguration

    var director: String { configuration.director.name }

    func run() async {
        let catalog = runtime.catalog
        var row = (try? catalog.job(id: jobID)) ?? JobRow()
        row.jobID = jobID
        if row.name.isEmpty { row.name = resource.name }
        let start = CatalogTime.now()
        row.job = row.job.isEmpty ? runtime.uniqueJobName(resource.name, at: start) : row.job
        row.type = "D"
        row.level = " "
        row.status = "R"
        row.startTime = start
        row.jobTDate = start
        do { try catalog.startJob(row) } catch { runtime.logger.error("cannot record the job's start: \(error)") }
        runtime.jobs.update(jobID: jobID, status: "R", level: " ", job: row.job)
        say("\(director) JobId \(jobID): Start Admin JobId \(jobID), Job=\(row.job)\n")
        var status = "T"
        if !(await scripts(row, status: nil).run(resource.scripts.filter { !$0.runsOnClient && $0.runsBefore }, label: "BeforeJob")) {
            status = "E"
        }
        if Task.isCancelled { status = "A" }
        if resource.scripts.contains(where: \.runsOnClient) {
            say("\(director) JobId \(jobID): Warning: an Admin job has no client: its client scripts do not run.\n", type: "warning")
        }
        let end = CatalogTime.now()
        row.status = status
        row.endTime = end
        row.realEndTime = end
        do { try catalog.finishJob(row) } catch { runtime.logger.error("cannot record the job's end: \(error)") }
        say(report(row, start: start, end: end), type: status == "T" ? "info" : "error")
        _ = await scripts(row, status: status).run(
            resource.scripts.filter { !$0.runsOnClient && $0.runsAfter(succeeded: status == "T") }, label: "AfterJob")
        runtime.endJob(jobID: jobID, status: status)
    }

    private func say(_ text: String, type: String = "info") {
        runtime.say(text, type: type, jobID: jobID, messages: resource.messages)
    }

    private func scripts(_ row: JobRow, status: String?) -> JobScriptRunner {
        JobScriptRunner(runtime: runtime, row: row, client: resource.client, jobName: resource.name, messages: resource.messages, status: status)
    }

    /// The end report of an Admin job: who, when, and `Admin OK` / `*** Admin Error ***` / `Admin Canceled`.
    private func report(_ row: JobRow, start: Int64, end: Int64) -> String {
        let termination = row.status == "T" ? "Admin OK" : row.status == "A" ? "Admin Canceled" : "*** Admin Error ***"
        var text = "\(director) JobId \(jobID): Bacula \(director) 9.6.7 (10Dec20):\n"
        text += JobReport.line("JobId", String(jobID))
        text += JobReport.line("Job", row.job)
        text += JobReport.line("Scheduled time", JobReport.longTime(row.scheduledTime > 0 ? row.scheduledTime : start))
        text += JobReport.line("Start time", JobReport.longTime(start))
        text += JobReport.line("End time", JobReport.longTime(end))
        text += JobReport.line("Termination", termination)
        return text + "\n"
    }
}
