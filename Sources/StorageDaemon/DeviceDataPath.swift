import TapeDevices

/// The data path of one device (DESIGN "The data path"), without networking: jobs spool records into blocks on
/// disk; a despooler thread streams them, one job's turn at a time, into the drive writer's bounded queue; the
/// drive writer thread writes them to tape and carries jobs over volumes.
///
/// Who owns what: each `JobSpooler` belongs to its job's task; the `Spool` (rings, budget, turns) is shared behind
/// one lock; the despooler thread owns reading spool files; the `DriveWriter` thread owns the drive. Backpressure
/// runs backwards: a full drive queue blocks the despooler (no free buffer), a despooler that cannot keep up lets
/// rings fill, and a full ring (or Maximum Spool Size) suspends the job's producer.
public final class DeviceDataPath: Sendable {
    public let writer: DriveWriter
    private let spool: Spool
    private let despooler: Despooler

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

    /// Drive counters.
    public var statistics: DriveStatistics { writer.statistics }

    /// Waits for every open job to end, stops both threads and returns the drive counters (throws the drive
    /// writer's failure, if any).
    public func close() async throws -> DriveStatistics {
        spool.close()
        await despooler.join()
        return try await writer.close()
    }
}
