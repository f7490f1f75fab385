import BaculaVolume
import TapeDevices

/// A volume in a drive, ready for the drive writer (what the Director's answer and the changer's load produce).
///
/// Ownership of `drive` passes to the drive writer with the mount: from then on only the writer thread touches it
/// until the writer is closed. That hand-over is why this is `@unchecked Sendable`.
public struct VolumeMount: @unchecked Sendable {
    public enum Medium: Sendable, Equatable {
        /// A PRE_LABEL (or blank) volume: rewind and write block 0 as VOL_LABEL with the writing job's session.
        case relabel
        /// A volume already written by jobs (status Append): position at end of data and append, no label.
        case append
    }

    public var drive: any TapeDrive
    /// Name, pool, media type ... of the volume label; `writeTime` is set when the label block is written.
    public var label: VolumeLabel
    public var medium: Medium

    public init(drive: any TapeDrive, label: VolumeLabel, medium: Medium) {
        self.drive = drive
        self.label = label
        self.medium = medium
    }

    public var volumeName: String { label.volumeName }
}

/// What the drive writer tells its owner when a volume is full (spec §8.3).
public struct EndOfMedium: Sendable, Equatable {
    /// The full volume.
    public var volumeName: String
    /// The job whose block did not fit (it is kept and written first on the next volume).
    public var session: SessionKey
    public var jobID: UInt32
    /// Tape files (filemarks) and blocks written on the full volume by this writer.
    public var filemarks: Int
    public var blocks: Int
    public var bytes: Int64
    /// The last block was re-read after the end-of-volume filemark and carried the expected block number; nil when
    /// the drive could not back up to check.
    public var rereadVerified: Bool?
    /// Not the end of the medium but a write the drive failed (an I/O error): the volume is to be marked Error,
    /// not Full. The failed block is written first on the next volume, as at end of medium.
    public var writeError: String? = nil
}

/// One JobMedia row (spec §11.1): the part of a job on one volume between two filemarks (or volume/job ends).
public struct JobMediaSegment: Sendable, Equatable {
    public var session: SessionKey
    public var jobID: UInt32
    public var volumeName: String
    /// 1 for the first volume of the job, 2 for the next ...
    public var volumeIndex: Int
    /// First and last FileIndex with data in the segment (0 when it holds only labels).
    public var firstFileIndex: Int32
    public var lastFileIndex: Int32
    /// Tape file:block of the job's first and last block in the segment.
    public var start: VolumeAddress
    public var end: VolumeAddress
}

/// What a job left on tape once its EOS is written.
public struct JobOutcome: Sendable {
    public var session: SessionKey
    /// The EOS label as written (totals with the last segment's addresses).
    public var endOfSession: SessionLabel
    /// Every JobMedia segment of the job, in order.
    public var segments: [JobMediaSegment]
    /// Blocks written for the job (SOS and EOS blocks included).
    public var blocks: Int
}
