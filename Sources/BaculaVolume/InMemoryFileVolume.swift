/// A file volume held in memory, as a `BlockSource`: each read returns the bytes after the current position. For
/// tests and the fuzz targets, which read volumes without a file.
public struct InMemoryFileVolume: BlockSource {
    public var bytes: [UInt8]
    var offset = 0
    var lastStart = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isByteStream: Bool { true }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        lastStart = offset
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return .endOfData }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
        return .data(count: count, address: .offset(UInt64(offset)))
    }

    public mutating func advance(by count: Int) throws { offset = min(bytes.count, max(0, lastStart + count)) }

    public mutating func seek(to address: VolumeAddress) throws -> Bool {
        offset = Int(min(UInt64(bytes.count), address.rawValue))
        lastStart = offset
        return true
    }
}
