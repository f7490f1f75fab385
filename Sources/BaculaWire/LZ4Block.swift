import CLZ4

/// Raw LZ4 block compression as Bacula uses it on the comm line (spec §1.5): no frame header, no size prefix.
///
/// Decoding first walks the block's sequences to learn the exact decompressed size without writing anything, so it
/// rejects malformed blocks and blocks that expand beyond `limit` before allocating; liblz4 then does the copy.
public enum LZ4Block {
    /// Why a block could not be decompressed.
    public enum DecodeError: Error, Hashable, Sendable {
        /// The block's structure is invalid at `offset` (truncated sequence, zero or out-of-range match offset).
        case malformed(offset: Int)
        /// The block expands to more than the permitted size.
        case tooLarge(limit: Int)
    }

    /// Payloads at most this long are never compressed by Bacula (§1.5).
    public static let minimumCompressibleLength = 21
    /// Compression must save at least this many bytes to be used (§1.5).
    public static let minimumSaving = 10

    /// The number of bytes `block` decompresses to, found by walking its sequences; throws if the block is malformed
    /// or expands beyond `limit`.
    public static func decompressedLength(of block: UnsafeRawBufferPointer, limit: Int) throws(DecodeError) -> Int {
        var input = 0
        var output = 0
        let count = block.count
        guard count > 0 else { throw .malformed(offset: 0) }
        while input < count {
            let token = block[input]
            input += 1
            var literals = Int(token >> 4)
            if literals == 15 {
                while true {
                    guard input < count else { throw .malformed(offset: input) }
                    let extra = block[input]
                    input += 1
                    literals += Int(extra)
                    if extra != 255 { break }
                }
            }
            guard literals <= count - input else { throw .malformed(offset: input) }
            input += literals
            output += literals
            guard output <= limit else { throw .tooLarge(limit: limit) }
            if input == count { return output }  // the last sequence carries literals only
            guard count - input >= 2 else { throw .malformed(offset: input) }
            let matchOffset = Int(block[input]) | Int(block[input + 1]) << 8
            guard matchOffset != 0, matchOffset <= output else { throw .malformed(offset: input) }
            input += 2
            var matchLength = Int(token & 0x0F)
            if matchLength == 15 {
                while true {
                    guard input < count else { throw .malformed(offset: input) }
                    let extra = block[input]
                    input += 1
                    matchLength += Int(extra)
                    if extra != 255 { break }
                }
            }
            output += matchLength + 4
            guard output <= limit else { throw .tooLarge(limit: limit) }
        }
        throw .malformed(offset: count)  // a block must end with a literals-only sequence
    }

    /// Decompresses one raw LZ4 block whose output is at most `limit` bytes.
    public static func decompress(
        _ block: UnsafeRawBufferPointer, limit: Int = WireLimits.maximumFrameLength
    ) throws(DecodeError) -> [UInt8] {
        let length = try decompressedLength(of: block, limit: limit)
        guard length > 0 else { return [] }
        var produced: Int32 = -1
        let output = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            guard let source = block.baseAddress, let destination = buffer.baseAddress else { return }
            produced = LZ4_decompress_safe(
                source.assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(destination).assumingMemoryBound(to: CChar.self),
                Int32(block.count), Int32(length))
            initialized = produced == Int32(length) ? length : 0
        }
        guard produced == Int32(length) else { throw .malformed(offset: 0) }
        return output
    }

    /// Convenience over `decompress(_:limit:)` for an array.
    public static func decompress(_ block: [UInt8], limit: Int = WireLimits.maximumFrameLength)
        throws(DecodeError) -> [UInt8]
    {
        let result: Result<[UInt8], DecodeError> = block.withUnsafeBytes { raw in
            Result { () throws(DecodeError) in try decompress(raw, limit: limit) }
        }
        return try result.get()
    }

    /// Compresses `bytes` the way a Bacula sender does, or returns nil when Bacula would send it plain:
    /// payloads of 20 bytes or less, and blocks that do not save at least 10 bytes (§1.5).
    public static func compressIfWorthwhile(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= minimumCompressibleLength, bytes.count <= Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let bound = Int(LZ4_compressBound(Int32(bytes.count)))
        guard bound > 0 else { return nil }
        let compressed = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            initialized = 0
            bytes.withUnsafeBytes { source in
                guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
                let written = LZ4_compress_default(
                    from.assumingMemoryBound(to: CChar.self),
                    UnsafeMutableRawPointer(to).assumingMemoryBound(to: CChar.self),
                    Int32(bytes.count), Int32(bound))
                initialized = written > 0 ? Int(written) : 0
            }
        }
        guard !compressed.isEmpty, compressed.count + minimumSaving <= bytes.count else { return nil }
        return compressed
    }
}
