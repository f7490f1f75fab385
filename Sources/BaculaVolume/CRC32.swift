import CZlib

/// The block checksum: zlib's CRC-32 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF), spec §3.2.
public enum BlockChecksum {
    /// CRC-32 of `bytes`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var remaining = bytes.count
        var crc: UInt = CZlib.crc32(0, nil, 0)
        while remaining > 0 {
            let chunk = min(remaining, Int(UInt32.max >> 1))
            crc = CZlib.crc32(crc, base, uInt(chunk))
            base += chunk
            remaining -= chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// CRC-32 of a byte array.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }
}
