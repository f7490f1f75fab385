import BaculaVolume

/// One file of the Director's accurate list (`accurate files=%d`, then per file
/// `name \0 lstat \0 checksum \0 deltaseq`, spec §3.2.7): what the previous backups hold.
public struct AccurateEntry: Equatable, Sendable {
    public var name: [UInt8]
    public var stat: EncodedStat
    public var checksum: String

    public init(name: [UInt8], stat: EncodedStat, checksum: String = "") {
        self.name = name
        self.stat = stat
        self.checksum = checksum
    }

    /// Parses one packet of the list; nil when it has no name and stat.
    public init?(packet: [UInt8]) {
        let fields = packet.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count >= 2, !fields[0].isEmpty, let stat = try? EncodedStat(decoding: fields[1]) else { return nil }
        self.init(name: Array(fields[0]), stat: stat, checksum: fields.count > 2 ? String(decoding: fields[2], as: UTF8.self) : "")
    }
}
