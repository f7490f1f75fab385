import CZlib

/// One zlib (RFC 1950) stream per record, as GZIP streams 4/7/12 carry (spec §7.6).
public enum Zlib {
    /// Compresses `bytes` to one complete zlib stream at `level` (0–9).
    public static func compress(_ bytes: UnsafeRawBufferPointer, level: Int32 = 6) throws(VolumeError) -> [UInt8] {
        let bound = Int(compressBound(uLong(bytes.count)))
        var status: Int32 = Z_OK
        var produced: uLongf = uLongf(bound)
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let source = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            status = compress2(buffer.baseAddress, &produced, source, uLong(bytes.count), level)
            count = status == Z_OK ? Int(produced) : 0
        }
        guard status == Z_OK else { throw .decompression(stream: StreamType.gzipData, detail: "deflate \(status)") }
        return out
    }

    /// Decompresses one zlib stream; the output may not exceed `limit` bytes.
    public static func decompress(
        _ bytes: UnsafeRawBufferPointer, limit: Int = VolumeFormat.sanityLimit, stream streamType: Int32
    ) throws(VolumeError) -> [UInt8] {
        var z = z_stream()
        guard inflateInit_(&z, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .decompression(stream: streamType, detail: "inflateInit failed")
        }
        defer { inflateEnd(&z) }
        var out = [UInt8]()
        out.reserveCapacity(min(limit, max(bytes.count * 4, 4096)))
        z.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        z.avail_in = uInt(bytes.count)
        let chunkSize = 65536
        let chunk = UnsafeMutablePointer<Bytef>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        while true {
            z.next_out = chunk
            z.avail_out = uInt(chunkSize)
            let status = inflate(&z, Z_NO_FLUSH)
            let produced = chunkSize - Int(z.avail_out)
            guard out.count + produced <= limit else {
                throw .decompression(stream: streamType, detail: "output exceeds \(limit) bytes")
            }
            out.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
            if status == Z_STREAM_END { return out }
            guard status == Z_OK || (status == Z_BUF_ERROR && produced > 0) else {
                throw .decompression(
                    stream: streamType, detail: status == Z_BUF_ERROR ? "truncated zlib stream" : "inflate \(status)")
            }
        }
    }
}
