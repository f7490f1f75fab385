import CLZO

/// The 12-byte header of "compressed" streams 29–31 (spec §7.7).
public struct CompressionHeader: Equatable, Sendable {
    public static let size = 12
    public static let lzo1x: UInt32 = 0x4C5A_4F58  // "LZOX"
    public static let gzip: UInt32 = 0x475A_4950  // "GZIP"
    public static let none: UInt32 = 0x4E4F_4E45  // "NONE"

    public var magic: UInt32
    /// Bytes after the header.
    public var length: UInt32
    public var level: UInt16
    public var version: UInt16

    public init(magic: UInt32, length: UInt32, level: UInt16 = 0, version: UInt16 = 1) {
        self.magic = magic
        self.length = length
        self.level = level
        self.version = version
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(VolumeError) {
        guard bytes.count >= Self.size else {
            throw .malformed(what: "compression header", field: "magic", offset: 0)
        }
        magic = BigEndian.u32(bytes, 0)
        length = BigEndian.u32(bytes, 4)
        level = UInt16(truncatingIfNeeded: BigEndian.u32(bytes, 8) >> 16)
        version = UInt16(truncatingIfNeeded: BigEndian.u32(bytes, 8))
    }

    public func encoded() -> [UInt8] {
        var w = FieldWriter(capacity: Self.size)
        w.u32(magic)
        w.u32(length)
        w.u32(UInt32(level) << 16 | UInt32(version))
        return w.bytes
    }
}

/// LZO1X-1 through the system liblzo2.
public enum LZO {
    private static let ready: Bool = clzo_init() == LZO_E_OK
    /// LZO1X_1_MEM_COMPRESS: 16384 dictionary entries of one pointer each.
    private static let workMemorySize = 16384 * MemoryLayout<UnsafeRawPointer>.size

    /// Compresses with LZO1X-1.
    public static func compress(_ bytes: UnsafeRawBufferPointer) throws(VolumeError) -> [UInt8] {
        guard ready else { throw .decompression(stream: StreamType.compressedData, detail: "lzo_init failed") }
        let bound = bytes.count + bytes.count / 16 + 64 + 3
        let work = UnsafeMutableRawPointer.allocate(byteCount: workMemorySize, alignment: 16)
        defer { work.deallocate() }
        var status: Int32 = LZO_E_OK
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            var produced: lzo_uint = lzo_uint(bound)
            status = lzo1x_1_compress(
                bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), lzo_uint(bytes.count), buffer.baseAddress,
                &produced, work)
            count = status == LZO_E_OK ? Int(produced) : 0
        }
        guard status == LZO_E_OK else {
            throw .decompression(stream: StreamType.compressedData, detail: "lzo1x_1_compress \(status)")
        }
        return out
    }

    /// Decompresses LZO1X data; the output may not exceed `limit` bytes.
    public static func decompress(
        _ bytes: UnsafeRawBufferPointer, limit: Int = VolumeFormat.sanityLimit, stream: Int32
    ) throws(VolumeError) -> [UInt8] {
        guard ready else { throw .decompression(stream: stream, detail: "lzo_init failed") }
        var capacity = min(limit, max(65536, bytes.count * 4))
        while true {
            var status: Int32 = LZO_E_OK
            let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var produced: lzo_uint = lzo_uint(capacity)
                status = lzo1x_decompress_safe(
                    bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), lzo_uint(bytes.count),
                    buffer.baseAddress, &produced, nil)
                count = status == LZO_E_OK ? Int(produced) : 0
            }
            if status == LZO_E_OK { return out }
            guard status == LZO_E_OUTPUT_OVERRUN, capacity < limit else {
                throw .decompression(stream: stream, detail: "lzo1x_decompress_safe \(status)")
            }
            capacity = min(limit, capacity * 4)
        }
    }
}
