/// Write-behind for a file written front to back (a virtual tape's image, a File volume): decides when a stretch of
/// what was written is handed to the disk and when it is dropped from the page cache, so that an image of many GiB
/// keeps only a few windows of it in memory — as a real drive keeps only its own buffer — instead of filling the page
/// cache with data nobody reads back soon. Pure: the caller carries out the actions it returns (`VirtualTape` and
/// `FileVolumeDrive`, through `carryOut`: `sync_file_range(2)` and `posix_fadvise(POSIX_FADV_DONTNEED)`).
///
/// The last `allowance` bytes written are left to the kernel, as any buffered write is: a volume that takes less
/// than that in one run (a job of up to that size) is never handed to the disk while it is written, so the disk stays
/// free for the catalog's commits of the same job (bacula-sd leaves all of a job's data to the kernel). Past the
/// allowance, every `window` bytes the stretch that fell behind it is handed to writeback (`startWriteback`, which
/// does not wait); once more than `lag` stretches are under way the oldest is waited for and dropped
/// (`finishAndDrop`), so the writer waits for the disk only when the disk has fallen `lag` windows behind it.
public struct WriteBehind: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Start writing back this byte range; do not wait.
        case startWriteback(Range<Int64>)
        /// Wait until this range is on the disk, then drop its pages from the page cache.
        case finishAndDrop(Range<Int64>)
    }

    public let window: Int64
    public let lag: Int
    /// Bytes behind the writer that are left dirty for the kernel to write when it decides to.
    public let allowance: Int64
    /// Where the stretch not yet handed to writeback begins; nil before the first write.
    public private(set) var unflushedFrom: Int64?
    /// Stretches handed to writeback and not yet dropped, oldest first.
    public private(set) var underWay: [Range<Int64>] = []

    /// `window` and `lag` are at least 1, `allowance` at least 0.
    public init(window: Int64 = 8 << 20, lag: Int = 2, allowance: Int64 = 0) {
        self.window = max(1, window)
        self.lag = max(1, lag)
        self.allowance = max(0, allowance)
    }

    /// The bytes of `written` (a record, or a filemark, just written) are in the image. Returns what to do.
    public mutating func wrote(_ written: Range<Int64>) -> [Action] {
        let from = unflushedFrom ?? written.lowerBound
        unflushedFrom = from
        let behind = written.upperBound - allowance
        guard behind >= from + window else { return [] }
        let stretch = from..<behind
        unflushedFrom = behind
        underWay.append(stretch)
        var actions: [Action] = [.startWriteback(stretch)]
        while underWay.count > lag { actions.append(.finishAndDrop(underWay.removeFirst())) }
        return actions
    }

    /// The image was cut at `offset` (a tape write drops everything after the position it writes at). Stretches
    /// past `offset` are gone with the truncation, one it cuts keeps its part before `offset`, and what is written
    /// next is counted from `offset` if that is before the unflushed stretch.
    public mutating func truncated(at offset: Int64) {
        underWay = underWay.compactMap { stretch in
            if stretch.upperBound <= offset { return stretch }
            return stretch.lowerBound < offset ? stretch.lowerBound..<offset : nil
        }
        if let from = unflushedFrom, offset < from { unflushedFrom = offset }
    }
}
