import TapeDevices

/// The data path of one device (DESIGN "The data path"), without networking: jobs spool records into blocks on
/// disk; a despooler thread streams them, one job's turn at a time, into the drive writer's bounded queue; the
/// drive writer thread writes them to tape and carries jobs over volumes.
///
/// Who owns what: each `JobSpooler` belongs to its job's task; the `Spool` (rings, budget, turns) is shared behind
/// one lock; the despooler thread owns reading spool files; the `DriveWriter` thread owns the drive. Backpressure
/// runs backwards: a full drive queue blocks the despooler (no free buffer), a despooler that cannot keep up lets
/// rings fill, and a full ring (or Maximum Spool Size) suspends the job's producer.
///
/// Direct (unspooled) jobs skip the spool: their blocks go straight into the drive writer's pool and queue, in turn
/// with the despooler (see `openDirectJob`). Spooled and direct jobs may run at the same time; their blocks
/// interleave on the volume, one job per block.
///
/// With `DriveWriter.Configuration.medium == .file` the same machinery writes Bacula file volumes through a
/// `FileVolumeDrive` (byte addresses, no padding, no filemarks, Maximum Volume Bytes as the end of medium).
public final class DeviceDataPath: Sendable {
    public let writer: DriveWriter
    private let spool: Spool
    private let despooler: Despooler
    private let direct = GuardedState<DirectJobs>("direct jobs", DirectJobs())

    private struct DirectJobs {
        var open = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts the despooler and the drive writer on `firstVolume`.
    public init(
        spool configuration: SpoolConfiguration, drive: DriveWriter.Configuration = .init(),
        firstVolume: VolumeMount, clock: any DriveClock = MonotonicDriveClock(), owner: DriveWriter.Owner
    ) throws {
        var drive = drive
        drive.blockSize = configuration.blockSize
        spool = try Spool(configuration: configuration)
        writer = DriveWriter(configuration: drive, firstVolume: firstVolume, clock: clock, owner: owner)
        despooler = Despooler(spool: spool, writer: writer, name: configuration.deviceName)
    }

    /// Opens a job: creates its spool file and spools its SOS label.
    public func openJob(_ job: DeviceJob) async throws -> JobSpooler {
        try await JobSpooler(job: job, spool: spool, writer: writer)
    }

    /// Opens a direct (unspooled) job: no spool file; the SOS and every finished block go straight to the drive
    /// writer's bounded queue, the job suspending while the pool has no free buffer. Same API as `openJob`:
    /// `append(fileIndex:stream:data:)`, `commit(status:errors:)` (returns once the EOS is written), `cancel()`.
    public func openDirectJob(_ job: DeviceJob) async throws -> JobSpooler {
        let admitted = direct.withLock { d -> Bool in
            guard !d.closed else { return false }
            d.open += 1
            return true
        }
        guard admitted else {
            throw SpoolError(.jobClosed, job: job.name, path: "", detail: "the device's data path is closed")
        }
        let direct = self.direct
        return try await JobSpooler(direct: job, writer: writer) {
            let waiters = direct.withLock { d -> [CheckedContinuation<Void, Never>] in
                d.open -= 1
                guard d.open == 0 else { return [] }
                defer { d.waiters = [] }
                return d.waiters
            }
            for w in waiters { w.resume() }
        }
    }

    private func directJobsEnded() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = direct.withLock { d -> Bool in
                d.closed = true
                if d.open == 0 { return true }
                d.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Drive counters.
    public var statistics: DriveStatistics { writer.statistics }
    /// Bytes of spool memory the device's jobs hold now (`Spool Memory Size`).
    public var spoolMemoryBytes: Int { spool.memoryBytes }

    /// Waits for every open job to end, stops both threads and returns the drive counters (throws the drive
    /// writer's failure, if any).
    public func close() async throws -> DriveStatistics {
        spool.close()
        await directJobsEnded()
        await despooler.join()
        await spool.allRemoved()
        return try await writer.close()
    }
}
