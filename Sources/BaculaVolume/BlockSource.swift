/// What one physical read from a medium returned.
public enum BlockRead: Equatable, Sendable {
    /// `count` bytes were read into the buffer; the block starts at `address`.
    case data(count: Int, address: VolumeAddress)
    /// A filemark (tape only); the medium is now at the start of the next tape file.
    case filemark
    /// No more data on this medium.
    case endOfData
    /// The tape record is bigger than the buffer; nothing was consumed. `needed` when the medium knows it.
    case bufferTooSmall(needed: Int?)
}

/// A medium the volume reader pulls blocks from. Implemented by the device layer (file volumes, vtape images, tape
/// drives); this module only states the contract.
public protocol BlockSource {
    /// True for media that return a byte stream (file volumes): a read returns the bytes that follow the current
    /// position, and `advance(by:)` decides where the next read starts. False for tapes: one read = one record.
    var isByteStream: Bool { get }

    /// Reads at the current position into `buffer`.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead

    /// Byte streams: the next read starts `count` bytes after the start of the last read (0 re-reads it).
    /// Tapes ignore it.
    mutating func advance(by count: Int) throws

    /// Moves so that the next read returns the block at `address`. Returns false when the medium cannot seek
    /// (the reader then reads forward).
    mutating func seek(to address: VolumeAddress) throws -> Bool
}
