/// Where a block lives on a volume (spec §2): on disk the byte offset of the block, on tape
/// `(tape file << 32) | block within that file`. The same 64-bit value appears in EOS labels and `.bsr` VolAddr.
public struct VolumeAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed 64-bit address.
    public var rawValue: UInt64
    /// True when `rawValue` is a byte offset (file volume), false for tape file/block.
    public var isByteOffset: Bool

    public init(rawValue: UInt64, isByteOffset: Bool) {
        self.rawValue = rawValue
        self.isByteOffset = isByteOffset
    }

    /// A byte offset on a file volume.
    public static func offset(_ offset: UInt64) -> VolumeAddress {
        VolumeAddress(rawValue: offset, isByteOffset: true)
    }

    /// Block `block` of tape file `file`.
    public static func tape(file: UInt32, block: UInt32) -> VolumeAddress {
        VolumeAddress(rawValue: UInt64(file) << 32 | UInt64(block), isByteOffset: false)
    }

    /// The high 32 bits: the tape file number (or offset / 4 GiB on disk).
    public var file: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    /// The low 32 bits: block within the tape file (or the low half of the offset on disk).
    public var block: UInt32 { UInt32(truncatingIfNeeded: rawValue) }

    public static func < (lhs: VolumeAddress, rhs: VolumeAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        isByteOffset ? "offset \(rawValue)" : "file:block \(file):\(block)"
    }
}
