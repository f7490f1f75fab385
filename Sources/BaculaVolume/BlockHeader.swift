/// The header of one block (spec §3.1; BB01 in §3.4).
public struct BlockHeader: Equatable, Sendable {
    /// The stored CRC-32 of bytes `[4, length)`.
    public var checksum: UInt32
    /// Meaningful bytes in the block including this header (tape padding excluded).
    public var length: UInt32
    /// Per-session sequence number.
    public var blockNumber: UInt32
    /// 2 for `BB02`, 1 for legacy `BB01`.
    public var version: Int
    /// Session id of every record (BB02 only; 0 for BB01).
    public var sessionID: UInt32
    /// Session time of every record (BB02 only; 0 for BB01).
    public var sessionTime: UInt32

    public init(
        checksum: UInt32 = 0, length: UInt32, blockNumber: UInt32, version: Int = 2,
        sessionID: UInt32, sessionTime: UInt32
    ) {
        self.checksum = checksum
        self.length = length
        self.blockNumber = blockNumber
        self.version = version
        self.sessionID = sessionID
        self.sessionTime = sessionTime
    }

    /// Header size for this version.
    public var headerSize: Int { version == 2 ? VolumeFormat.blockHeaderSize : VolumeFormat.legacyBlockHeaderSize }

    /// Reads the 4-byte block length from raw bytes without validating anything else; nil if fewer than 8 bytes.
    public static func peekLength(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        bytes.count >= 8 ? BigEndian.u32(bytes, 4) : nil
    }

    /// Decodes and validates a header: ID, length within `[header, min(available, sanity limit)]`.
    /// The checksum is not verified here (see `Block.verify`).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, address: VolumeAddress
    ) throws(VolumeError) -> BlockHeader {
        guard bytes.count >= VolumeFormat.legacyBlockHeaderSize else {
            throw .badBlockLength(address: address, length: 0, available: bytes.count)
        }
        let id = BigEndian.u32(bytes, 12)
        let version: Int
        switch id {
        case 0x4242_3032: version = 2  // "BB02"
        case 0x4242_3031: version = 1  // "BB01"
        default: throw .badBlockID(address: address, id: Array(bytes[12..<16]))
        }
        let length = BigEndian.u32(bytes, 4)
        let headerSize = version == 2 ? VolumeFormat.blockHeaderSize : VolumeFormat.legacyBlockHeaderSize
        guard bytes.count >= headerSize, Int(length) >= headerSize, Int(length) < VolumeFormat.sanityLimit else {
            throw .badBlockLength(address: address, length: length, available: bytes.count)
        }
        return BlockHeader(
            checksum: BigEndian.u32(bytes, 0), length: length, blockNumber: BigEndian.u32(bytes, 8),
            version: version,
            sessionID: version == 2 ? BigEndian.u32(bytes, 16) : 0,
            sessionTime: version == 2 ? BigEndian.u32(bytes, 20) : 0)
    }

    /// Writes a BB02 header (checksum as stored in `checksum`) into the first 24 bytes of `bytes`.
    public func encode(into bytes: UnsafeMutableRawBufferPointer) {
        BigEndian.store(checksum, bytes, 0)
        BigEndian.store(length, bytes, 4)
        BigEndian.store(blockNumber, bytes, 8)
        BigEndian.store(UInt32(0x4242_3032), bytes, 12)
        BigEndian.store(sessionID, bytes, 16)
        BigEndian.store(sessionTime, bytes, 20)
    }
}
