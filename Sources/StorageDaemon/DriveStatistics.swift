/// Counters of a drive writer, readable at any time.
public struct DriveStatistics: Sendable, Equatable {
    /// Blocks and bytes written to tape (labels and EOS blocks included).
    public var blocks = 0
    public var bytes: Int64 = 0
    /// Moments the queue ran dry while the drive was streaming and a job's data was still coming (not at job end):
    /// the drive would stop and reposition ("shoe-shining").
    public var underruns = 0
    public var filemarks = 0
    /// Volumes written on (the first one included).
    public var volumes = 0
    /// Bytes per second over the last blocks (drive clock).
    public var currentRate: Double = 0
    /// Bytes per second from the first block to the last (drive clock).
    public var averageRate: Double = 0
    /// Blocks waiting in the queue right now.
    public var queuedBlocks = 0
    /// The writer thread is waiting for a block.
    public var waitingForData = false
    /// Producers (jobs, the despooler) waiting for a free block buffer right now: the drive is the bottleneck.
    public var producersWaitingForBuffers = 0
}
