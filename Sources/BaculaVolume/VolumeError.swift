/// Everything that can be wrong with volume bytes. Each case says what was wrong and where.
public enum VolumeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The block ID at offset 12 (or 12 for BB01) is neither `BB01` nor `BB02`.
    case badBlockID(address: VolumeAddress, id: [UInt8])
    /// `block_len` is smaller than the header or larger than the sanity limit or the bytes available.
    case badBlockLength(address: VolumeAddress, length: UInt32, available: Int)
    /// The stored CRC does not match the computed one.
    case checksumMismatch(address: VolumeAddress, blockNumber: UInt32, stored: UInt32, computed: UInt32)
    /// A record header announces more data than the sanity limit.
    case badRecordLength(address: VolumeAddress, fileIndex: Int32, stream: Int32, length: UInt32)
    /// A label, attribute or data payload ended early or held an impossible value.
    case malformed(what: String, field: String, offset: Int)
    /// The stream number is not one this reader can decode.
    case unsupportedStream(Int32)
    /// zlib or LZO refused the data.
    case decompression(stream: Int32, detail: String)
    /// A `.bsr` line that could not be parsed.
    case bootstrap(line: Int, detail: String)

    public var description: String {
        switch self {
        case let .badBlockID(address, id):
            return "bad block id \(id.map { String(format2: $0) }.joined()) at \(address)"
        case let .badBlockLength(address, length, available):
            return "bad block length \(length) at \(address) (\(available) bytes available)"
        case let .checksumMismatch(address, number, stored, computed):
            return "block checksum mismatch at \(address) (block \(number)): stored "
                + "\(hex(stored)), computed \(hex(computed))"
        case let .badRecordLength(address, fileIndex, stream, length):
            return "record FileIndex=\(fileIndex) Stream=\(stream) announces \(length) bytes at \(address)"
        case let .malformed(what, field, offset):
            return "malformed \(what): field \(field) at offset \(offset)"
        case let .unsupportedStream(stream):
            return "unsupported stream \(stream)"
        case let .decompression(stream, detail):
            return "cannot decompress stream \(stream): \(detail)"
        case let .bootstrap(line, detail):
            return "bootstrap line \(line): \(detail)"
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}

extension String {
    fileprivate init(format2 byte: UInt8) {
        let s = String(byte, radix: 16)
        self = s.count == 1 ? "0" + s : s
    }
}
