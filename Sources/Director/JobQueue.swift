import Catalog
import Foundation

/// Queueing jobs: the catalog row first (so the JobId can be told at once), then a task that waits for its start
/// time and for the job queue (`JobScheduler`: Priority, Allow Mixed Priority and the Director's, Job's,
/// Client's and Storage's Maximum Concurrent Jobs) and runs the job.
extension DirectorRuntime {
    /// Queues a Backup or an Admin job; returns the JobId. Jobs of other types are refused with the reason.
    public func queue(_ request: JobRequest) throws -> Int64 {
        let configuration = self.configuration
        guard let resource = configuration.job(request.jobName) else {
            throw ConsoleInputError("Job \"\(request.jobName)\" not found.")
        }
        // A Verify, Copy or Migrate job run as a backup would write volumes nobody asked for: refused, and said so.
        guard resource.type == "Backup" || resource.type == "Admin" else {
            throw ConsoleInputError(
                "Job \"\(resource.name)\" is a \(resource.type) job: capstan-dir runs Backup and Admin jobs, and restores "
                    + "through the restore command; \(resource.type) jobs are not supported.")
        }
        let now = CatalogTime.now()
        var row = JobRow()
        row.job = uniqueJobName(resource.name, at: now)
        row.name = resource.name
        row.type = resource.type == "Restore" ? "R" : resource.type == "Verify" ? "V" : resource.type == "Admin" ? "D" : "B"
        row.level = request.level ?? JobRequest.levelLetter(resource.level) ?? "F"
        row.status = "C"
        row.scheduledTime = request.when ?? now
        row.jobTDate = now
        if let client = configuration.client(request.client ?? resource.client) {
            row.clientID = try catalog.ensureClient(
                name: client.name, autoPrune: client.autoPrune, fileRetention: client.fileRetention,
                jobRetention: client.jobRetention)
        }
        if let pool = configuration.pool(request.pool ?? resource.pool) { row.poolID = try catalog.ensurePool(pool.definition) }
        let jobID = try catalog.createJob(row)
        let duplicate = !resource.allowDuplicateJobs && jobs.count(name: resource.name) > 0
        jobs.add(
            JobRegistry.Entry(
                jobID: jobID, job: row.job, name: resource.name, type: row.type, level: row.level,
                client: request.client ?? resource.client, status: "C", scheduledTime: row.scheduledTime,
                priority: request.priority ?? resource.priority, cancel: {}))
        if duplicate {
            say(
                "\(configuration.director.name) JobId \(jobID): Fatal error: JobId \(jobID) already running. Duplicate job not allowed.\n",
                type: "fatal", jobID: jobID, messages: resource.messages)
            var ended = row
            ended.jobID = jobID
            ended.status = "A"
            ended.endTime = now
            ended.realEndTime = now
            try? catalog.finishJob(ended)
            endJob(jobID: jobID, status: "A")
            return jobID
        }
        let queued = row
        launch(jobID: jobID) { [self] in
            if let when = request.when, when > CatalogTime.now() {
                try? await Task.sleep(for: .seconds(when - CatalogTime.now()))
            }
            guard !Task.isCancelled else {
                self.abandon(jobID: jobID, row: queued)
                return
            }
            let admitted = await self.scheduler.admit(
                JobAdmission.Job(
                    id: jobID, priority: request.priority ?? resource.priority,
                    allowMixedPriority: resource.allowMixedPriority,
                    gates: self.gates(for: resource, request: request, configuration: configuration)))
            guard admitted else {
                self.abandon(jobID: jobID, row: queued)
                return
            }
            defer { self.scheduler.finish(jobID) }
            let start = CatalogTime.now()
            if let refusal = resource.timeLimits.refusal(scheduled: queued.scheduledTime, start: start) {
                self.say(
                    "\(configuration.director.name) JobId \(jobID): Fatal error: \(refusal)\n", type: "fatal", jobID: jobID,
                    messages: resource.messages)
                self.abandon(jobID: jobID, row: queued)
                return
            }
            if resource.type == "Admin" {
                await AdminRunner(runtime: self, jobID: jobID, resource: resource, configuration: configuration).run()
                return
            }
            let runner = BackupRunner(
                runtime: self, jobID: jobID, request: request, resource: resource, configuration: configuration)
            let deadline = resource.timeLimits.deadline(level: queued.level, scheduled: queued.scheduledTime, start: start)
            let watchdog: Task<Void, Never>? = deadline.map { deadline in
                Task {
                    try? await Task.sleep(for: .seconds(deadline.afterStart))
                    guard !Task.isCancelled else { return }
                    self.say(
                        "\(configuration.director.name) JobId \(jobID): Fatal error: \(deadline.message)\n",
                        type: "fatal", jobID: jobID, messages: resource.messages)
                    self.cancel(jobID: jobID)
                }
            }
            await runner.run()
            watchdog?.cancel()
            if resource.rescheduleOnError, let ended = try? self.catalog.job(id: jobID),
                !["T", "W", "A"].contains(ended.status), request.rescheduled < max(resource.rescheduleTimes, 1)
            {
                var again = request
                again.rescheduled += 1
                again.when = CatalogTime.now() + resource.rescheduleInterval
                self.say(
                    "\(configuration.director.name) JobId \(jobID): Rescheduled Job \(queued.job) to re-run in \(resource.rescheduleInterval) seconds.\n",
                    jobID: jobID, messages: resource.messages)
                _ = try? self.queue(again)
            }
        }
        return jobID
    }

    /// Queues a restore plan; returns the JobId.
    public func queueRestore(_ plan: RestorePlan) throws -> Int64 {
        let configuration = self.configuration
        guard let resource = configuration.job(plan.restoreJob) else {
            throw ConsoleInputError("Restore Job \"\(plan.restoreJob)\" not found.")
        }
        let now = CatalogTime.now()
        var row = JobRow()
        row.job = uniqueJobName(resource.name, at: now)
        row.name = resource.name
        row.type = "R"
        row.level = " "
        row.status = "C"
        row.scheduledTime = now
        row.jobTDate = now
        let jobID = try catalog.createJob(row)
        jobs.add(
            JobRegistry.Entry(
                jobID: jobID, job: row.job, name: resource.name, type: "R", level: " ", client: plan.restoreClient,
                status: "C", scheduledTime: now, priority: resource.priority, cancel: {}))
        let queued = row
        launch(jobID: jobID) { [self] in
            let admitted = await self.scheduler.admit(
                JobAdmission.Job(
                    id: jobID, priority: resource.priority, allowMixedPriority: resource.allowMixedPriority,
                    gates: [JobAdmission.Gate(.director, "", limit: configuration.director.maximumConcurrentJobs)]))
            guard admitted else {
                self.abandon(jobID: jobID, row: queued)
                return
            }
            defer { self.scheduler.finish(jobID) }
            await RestoreRunner(runtime: self, jobID: jobID, plan: plan, resource: resource, configuration: configuration).run()
        }
        return jobID
    }

    /// The Maximum Concurrent Jobs gates a backup takes a place in: the Director's, then (in the order bacula-dir
    /// tries them, which decides the reason `status dir` gives) its Storage's, Client's and Job's.
    private func gates(
        for resource: DirectorConfiguration.Job, request: JobRequest, configuration: DirectorConfiguration
    ) -> [JobAdmission.Gate] {
        var gates = [JobAdmission.Gate(.director, "", limit: configuration.director.maximumConcurrentJobs)]
        if let storage = configuration.storage(request.storage ?? resource.storage.first ?? "") {
            gates.append(JobAdmission.Gate(.storage, storage.name, limit: storage.maximumConcurrentJobs))
        }
        if let client = configuration.client(request.client ?? resource.client) {
            gates.append(JobAdmission.Gate(.client, client.name, limit: client.maximumConcurrentJobs))
        }
        gates.append(JobAdmission.Gate(.job, resource.name, limit: resource.maximumConcurrentJobs))
        return gates
    }

    private func abandon(jobID: Int64, row: JobRow) {
        var ended = row
        ended.jobID = jobID
        ended.status = "A"
        ended.endTime = CatalogTime.now()
        try? catalog.finishJob(ended)
        endJob(jobID: jobID, status: "A")
    }
}
