/// A piece of file content decoded from a data record.
public struct FileDataChunk: Equatable, Sendable {
    /// Where the bytes go in the file; nil means "after the previous chunk" (non-sparse streams).
    public var offset: UInt64?
    /// The file bytes.
    public var bytes: [UInt8]

    public init(offset: UInt64?, bytes: [UInt8]) {
        self.offset = offset
        self.bytes = bytes
    }
}

/// Turns data records into file content and file content into data record payloads (spec §7.3–7.7).
public enum FileData {
    /// True for the streams `decode` understands.
    public static func isDataStream(_ stream: Int32) -> Bool {
        switch stream & StreamType.mask {
        case StreamType.fileData, StreamType.gzipData, StreamType.sparseData, StreamType.sparseGzipData,
            StreamType.compressedData, StreamType.sparseCompressedData:
            true
        default: false
        }
    }

    /// Decodes the payload of a data record of stream `stream`.
    public static func decode(stream: Int32, payload: [UInt8]) throws -> FileDataChunk {
        let type = stream & StreamType.mask
        switch type {
        case StreamType.fileData:
            return FileDataChunk(offset: nil, bytes: payload)
        case StreamType.sparseData, StreamType.sparseGzipData, StreamType.sparseCompressedData:
            guard payload.count >= 8 else { throw VolumeError.malformed(what: "sparse record", field: "offset", offset: 0) }
            let offset = payload.withUnsafeBytes { BigEndian.u64($0, 0) }
            let body = try payload.withUnsafeBytes { raw throws -> [UInt8] in
                let rest = UnsafeRawBufferPointer(rebasing: raw[8...])
                switch type {
                case StreamType.sparseData: return Array(rest)
                case StreamType.sparseGzipData: return try Zlib.decompress(rest, stream: stream)
                default: return try decompressCompressed(rest, stream: stream)
                }
            }
            return FileDataChunk(offset: offset, bytes: body)
        case StreamType.gzipData:
            return FileDataChunk(offset: nil, bytes: try payload.withUnsafeBytes { raw throws in
                try Zlib.decompress(raw, stream: stream)
            })
        case StreamType.compressedData:
            return FileDataChunk(offset: nil, bytes: try payload.withUnsafeBytes { raw throws in
                try decompressCompressed(raw, stream: stream)
            })
        default:
            throw VolumeError.unsupportedStream(stream)
        }
    }

    /// Decodes a compression header + body (streams 29–31).
    static func decompressCompressed(_ raw: UnsafeRawBufferPointer, stream: Int32) throws -> [UInt8] {
        let header = try CompressionHeader(decoding: raw)
        let bodyEnd = CompressionHeader.size + Int(header.length)
        guard bodyEnd <= raw.count else {
            throw VolumeError.malformed(what: "compressed record", field: "length", offset: 4)
        }
        let body = UnsafeRawBufferPointer(rebasing: raw[CompressionHeader.size..<bodyEnd])
        switch header.magic {
        case CompressionHeader.lzo1x: return try LZO.decompress(body, stream: stream)
        case CompressionHeader.gzip: return try Zlib.decompress(body, stream: stream)
        case CompressionHeader.none: return Array(body)
        default: throw VolumeError.decompression(stream: stream, detail: "unknown compression magic \(header.magic)")
        }
    }

    /// The payload of a sparse record: 8-byte big-endian offset then `body`.
    public static func sparsePayload(offset: UInt64, body: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(8 + body.count)
        withUnsafeBytes(of: offset.bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: body)
        return out
    }

    /// The payload of a GZIP record for `content` (one complete zlib stream).
    public static func gzipPayload(_ content: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        try content.withUnsafeBytes { raw throws in try Zlib.compress(raw, level: level) }
    }

    /// The payload of an LZO "compressed" record (stream 29) for `content`: header + LZO1X-1 data.
    public static func lzoPayload(_ content: [UInt8]) throws -> [UInt8] {
        let body = try content.withUnsafeBytes { raw throws in try LZO.compress(raw) }
        var out = CompressionHeader(magic: CompressionHeader.lzo1x, length: UInt32(body.count), level: 0).encoded()
        out.append(contentsOf: body)
        return out
    }
}
