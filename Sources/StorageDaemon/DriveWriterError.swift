import TapeDevices

/// Why a drive writer stopped writing. Every case names the volume and the job concerned.
public enum DriveWriterError: Error, CustomStringConvertible {
    /// The drive refused a write, filemark or positioning that is not end of medium.
    case drive(volume: String, job: String, operation: String, underlying: any Error)
    /// The owner could not provide a next volume after end of medium.
    case noNextVolume(after: String, job: String, underlying: any Error)
    /// A block did not fit even on a freshly mounted volume.
    case blockDoesNotFitVolume(volume: String, job: String, bytes: Int)
    /// After end of medium the last block re-read from the full volume is not the last one written (spec §8.3).
    case rereadMismatch(volume: String, expected: UInt32, found: UInt32?)
    /// A block or end arrived for a job that never began on this drive.
    case unknownJob(SessionKey)
    /// The writer had already failed; this job's data was not written.
    case writerFailed(job: String, cause: String)

    public var description: String {
        switch self {
        case let .drive(volume, job, operation, underlying):
            "drive error on volume \(volume) for job \(job) during \(operation): \(underlying)"
        case let .noNextVolume(after, job, underlying):
            "volume \(after) is full and no next volume was mounted for job \(job): \(underlying)"
        case let .blockDoesNotFitVolume(volume, job, bytes):
            "a \(bytes)-byte block of job \(job) does not fit on the freshly mounted volume \(volume)"
        case let .rereadMismatch(volume, expected, found):
            "re-read of the last block of volume \(volume) found block number \(found.map(String.init) ?? "none"), "
                + "expected \(expected): the volume does not end where the writer thinks"
        case let .unknownJob(session):
            "the drive writer got data for \(session), which never began on this drive"
        case let .writerFailed(job, cause):
            "job \(job) was not written: the drive writer had failed earlier (\(cause))"
        }
    }
}
