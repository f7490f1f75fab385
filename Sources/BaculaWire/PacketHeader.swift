/// Bits of a positive packet header above the length (spec §1.4). Bit 31 is the sign and never a flag.
public struct HeaderFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The payload is a raw LZ4 block (comm-line compression, §1.5); the length counts compressed bytes.
    public static let compressed = HeaderFlags(rawValue: 0x4000_0000)
    /// A 32-bit big-endian flags word follows the header; the length does not count it.
    public static let extended = HeaderFlags(rawValue: 0x2000_0000)

    /// All bits that are flags rather than length.
    public static let mask: UInt32 = 0x6000_0000
}

/// Bits of the flags word that follows an extended header (spec §1.4). No 9.6 sender uses them; receivers skip them.
public struct ExtendedFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let isCommand = ExtendedFlags(rawValue: 0x1000_0000)
    public static let offset = ExtendedFlags(rawValue: 0x0800_0000)
    public static let noCompress = ExtendedFlags(rawValue: 0x0200_0000)
    public static let dataCompressed = ExtendedFlags(rawValue: 0x0100_0000)
}

/// The meaning of one 4-byte packet header.
public enum PacketHeader: Hashable, Sendable {
    case signal(Signal)
    /// `length` payload bytes follow (after a flags word when `flags` contains `.extended`).
    case payload(length: Int, flags: HeaderFlags)

    /// Interprets a header value; positive values are split into flag bits and length.
    public init(rawValue: Int32) {
        if let signal = Signal(rawValue: rawValue) {
            self = .signal(signal)
            return
        }
        let bits = UInt32(bitPattern: rawValue)
        self = .payload(length: Int(bits & ~HeaderFlags.mask), flags: HeaderFlags(rawValue: bits & HeaderFlags.mask))
    }

    /// The header value as it goes on the wire.
    public var rawValue: Int32 {
        switch self {
        case .signal(let signal): return signal.rawValue
        case .payload(let length, let flags): return Int32(bitPattern: UInt32(length) | flags.rawValue)
        }
    }

    /// The header's four bytes as they go on the wire (big-endian `rawValue`).
    public var bytes: [UInt8] { withUnsafeBytes(of: rawValue.bigEndian) { Array($0) } }
}
