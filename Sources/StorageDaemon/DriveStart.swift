/// When a stopped streaming drive may start again: a tape drive started on one block from a client slower than its
/// slowest streaming speed writes that block, runs dry and stops to reposition (an underrun) before the next one
/// comes. So the writer gathers blocks in its queue first and starts the drive when it has enough to stream on, when
/// the producers cannot give more until the drive takes some, or when nothing more is due soon. Pure: decides from
/// what is queued; the queue (`DriveQueue.gather`) waits and keeps the time limit.
public struct DriveStart: Sendable, Equatable {
    /// Blocks to gather before the drive starts (at most the pool's buffers).
    public var blocks: Int
    /// Longest wait, from the moment the first block of the spell is queued.
    public var limit: Duration

    public init(blocks: Int, limit: Duration) {
        self.blocks = max(1, blocks)
        self.limit = limit
    }

    /// What the decision sees of a queued item.
    public enum Queued: Sendable, Equatable {
        case block
        /// A job begins (its blocks follow): more data is coming.
        case begin
        /// A job's end or a producer's pause: no more data is due at once.
        case endOrPause
    }

    /// Whether the drive may start on what is queued (`pending`, in order) now. Yes when the next item is not a
    /// block (nothing to gather for), when `blocks` blocks are queued, when a job's end or a pause follows the
    /// blocks (waiting gains nothing), or when every buffer of the pool is taken and a producer waits for one
    /// (`poolExhausted`: the producers are blocked on the drive). Nothing queued: not yet.
    public func ready(_ pending: some Sequence<Queued>, poolExhausted: Bool) -> Bool {
        var queued = 0
        var first = true
        for item in pending {
            if first, item != .block { return true }
            if first, poolExhausted { return true }
            first = false
            switch item {
            case .block:
                queued += 1
                if queued >= blocks { return true }
            case .begin:
                continue
            case .endOrPause:
                return true
            }
        }
        return false
    }
}

extension DriveItem {
    /// The item as `DriveStart` sees it.
    var queued: DriveStart.Queued {
        switch self {
        case .block: .block
        case .begin: .begin
        case .end, .pause: .endOrPause
        }
    }
}
