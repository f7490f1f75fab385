/// Applies a bootstrap while one volume is read: selects records, counts files per entry (`Count`) and says
/// where the next wanted block is, so the reader can skip forward (never backwards) and stop early.
public struct BootstrapSelector: Sendable {
    public let volume: String
    private let entries: [BootstrapEntry]
    private var filesSeen: [Set<Int64>]

    public init(bootstrap: Bootstrap, volume: String) {
        self.volume = volume
        entries = bootstrap.entries(forVolume: volume)
        filesSeen = Array(repeating: [], count: entries.count)
    }

    /// True when the bootstrap names this volume at all.
    public var selectsAnything: Bool { !entries.isEmpty }

    /// True when every entry that concerns this volume has a VolAddr (positioning is then allowed).
    public var canPosition: Bool { !entries.isEmpty && entries.allSatisfy { !$0.volumeAddresses.isEmpty } }

    /// Whether to keep `record`.
    public mutating func select(_ record: Record) -> Bool {
        for i in entries.indices where entries[i].matches(record, volume: volume) {
            if record.fileIndex > 0, let limit = entries[i].count {
                let key = Int64(record.sessionID) << 32 | Int64(record.fileIndex)
                if !filesSeen[i].contains(key) {
                    if filesSeen[i].count >= limit { continue }
                    filesSeen[i].insert(key)
                }
            }
            return true
        }
        return false
    }

    /// The smallest VolAddr start that is at or after `address`, or nil when no entry starts there.
    /// If `address` lies inside a wanted range, returns `address` itself.
    public func nextWanted(atOrAfter address: UInt64) -> UInt64? {
        guard canPosition else { return address }
        var best: UInt64?
        for e in entries {
            for r in e.volumeAddresses {
                if r.contains(address) { return address }
                if r.lowerBound > address { best = min(best ?? r.lowerBound, r.lowerBound) }
            }
        }
        return best
    }
}
