#if canImport(Glibc)
import Glibc
#endif
import BaculaVolume

/// A `Device Type = File` volume read as a byte stream (spec §2, §8.8): blocks back to back, no padding,
/// addresses are byte offsets.
public struct FileVolumeSource: BlockSource {
    public let path: String
    private let fd: Int32
    private var offset: Int64 = 0
    private var lastReadStart: Int64 = 0

    public init(path: String) throws {
        self.path = path
        fd = try SystemCall.open(path, flags: O_RDONLY)
    }

    /// Releases the descriptor.
    public func close() { try? SystemCall.close(fd, path: path) }

    public var isByteStream: Bool { true }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        lastReadStart = offset
        let n = try SystemCall.pread(fd, buffer, offset: offset, path: path)
        if n == 0 { return .endOfData }
        return .data(count: n, address: .offset(UInt64(offset)))
    }

    public mutating func advance(by count: Int) throws { offset = lastReadStart + Int64(count) }

    public mutating func seek(to address: VolumeAddress) throws -> Bool {
        guard address.isByteOffset else { return false }
        offset = Int64(address.rawValue)
        lastReadStart = offset
        return true
    }
}

/// Appends blocks to a file volume (creating or truncating it).
public final class FileVolumeWriter {
    public let path: String
    private var fd: Int32
    /// Bytes written so far.
    public private(set) var size: Int64 = 0

    public init(path: String, truncate: Bool = true) throws {
        self.path = path
        fd = try SystemCall.open(path, flags: O_WRONLY | O_CREAT | (truncate ? O_TRUNC : 0))
        size = try SystemCall.fileSize(fd, path: path)
    }

    deinit { try? close() }

    /// Writes one block at the end.
    public func write(_ block: UnsafeRawBufferPointer) throws {
        try SystemCall.pwrite(fd, block, offset: size, path: path)
        size += Int64(block.count)
    }

    /// Flushes to stable storage and closes.
    public func close() throws {
        guard fd >= 0 else { return }
        try SystemCall.sync(fd, path: path)
        try SystemCall.close(fd, path: path)
        fd = -1
    }
}

/// Reads blocks from any `TapeDrive`: one record per read, addresses are (tape file << 32 | block).
/// Positioning follows spec §8.6: rewind if the target file is behind, space files forward, then records.
public struct TapeBlockSource: BlockSource {
    public let drive: any TapeDrive

    public init(drive: any TapeDrive) { self.drive = drive }

    public var isByteStream: Bool { false }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        let here = try drive.position()
        do {
            switch try drive.readBlock(into: buffer) {
            case .block(let n):
                return .data(count: n, address: .tape(file: UInt32(here.file), block: UInt32(here.block)))
            case .filemark: return .filemark
            case .endOfData: return .endOfData
            }
        } catch TapeError.blockLargerThanBuffer(let needed) {
            return .bufferTooSmall(needed: needed)
        }
    }

    public mutating func advance(by count: Int) throws {}

    public mutating func seek(to address: VolumeAddress) throws -> Bool {
        guard !address.isByteOffset else { return false }
        let file = Int(address.file)
        let block = Int(address.block)
        var here = try drive.position()
        if file < here.file || (file == here.file && block < here.block) {
            if file == here.file && here.file > 0 {
                try drive.spaceFiles(-1)
                try drive.spaceFiles(1)
            } else {
                try drive.rewind()
                if file > 0 { try drive.spaceFiles(file) }
            }
        } else if file > here.file {
            try drive.spaceFiles(file - here.file)
        }
        here = try drive.position()
        if block > here.block { try drive.spaceRecords(block - here.block) }
        return true
    }
}
