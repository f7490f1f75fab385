/// Disk space reserved ahead of a file written front to back (a File volume): before a write reaches past what is
/// reserved, the next `chunk` bytes are allocated in one call (`fallocate(2)` with `FALLOC_FL_KEEP_SIZE`, so the
/// file's size still counts only what was written). ext4 then finds each written page's blocks already allocated
/// instead of reserving them page by page for delayed allocation, which on a 1 GiB job is a good part of the
/// writer's CPU (docs/benchmarks.md, "A File volume reserves its space ahead"). Pure: the caller carries out the
/// range it returns and gives the space back when it stops writing (a truncation to the file's size frees what is
/// reserved past it).
public struct Preallocation: Sendable, Equatable {
    /// Bytes reserved per call.
    public let chunk: Int64
    /// End of the space reserved so far (the file's size when nothing was reserved past it).
    public private(set) var reservedEnd: Int64

    /// The chunk File volumes reserve: 64 MiB, 64 blocks of the largest size.
    public static let fileVolumeChunk: Int64 = 64 << 20

    /// `end`: the file's size when writing begins (nothing past it is known to be reserved). `chunk` at least 1.
    public init(chunk: Int64 = Preallocation.fileVolumeChunk, from end: Int64) {
        self.chunk = max(1, chunk)
        reservedEnd = max(0, end)
    }

    /// `range` is about to be written. Returns the range to reserve first — from the end of what is reserved to the
    /// first multiple of `chunk` at or past the write's end — or nil when the write lies within what is reserved.
    public mutating func willWrite(_ range: Range<Int64>) -> Range<Int64>? {
        guard range.upperBound > reservedEnd else { return nil }
        let start = max(reservedEnd, range.lowerBound)
        let (quotient, remainder) = range.upperBound.quotientAndRemainder(dividingBy: chunk)
        let end = remainder == 0 ? range.upperBound : (quotient + 1) * chunk
        reservedEnd = end
        return start..<end
    }

    /// The file was truncated at `offset`: what was reserved past it is free again.
    public mutating func truncated(at offset: Int64) {
        reservedEnd = min(reservedEnd, max(0, offset))
    }

    /// Whether space past `size` (the file's size) is reserved and must be given back when writing stops.
    public func holdsSpace(past size: Int64) -> Bool { reservedEnd > size }
}
