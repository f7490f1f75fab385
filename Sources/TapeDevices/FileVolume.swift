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
/// Positioning follows spec §8.6: space files to reach the target file, then records within it (see `Positioning`).
public struct TapeBlockSource: BlockSource {
    /// How `seek` reaches a file behind the head (forward it always spaces the difference in files).
    public enum Positioning: Sendable {
        /// Back over one filemark and forward again to restart the current file; rewind for an earlier file.
        case relative
        /// A real drive: rewind, space forward `file` filemarks, then records within the file. Record spacing never
        /// has to stop at a filemark (tgt's SPACE does not), and no count after MTEOM is involved. Forward moves
        /// space the difference in files: the reader started at the beginning of the tape, so the driver's file
        /// number is the count of filemarks actually passed.
        case fromBeginningOfTape
    }

    public let drive: any TapeDrive
    public let positioning: Positioning

    public init(drive: any TapeDrive, positioning: Positioning = .relative) {
        self.drive = drive
        self.positioning = positioning
    }

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
            if positioning == .relative && file == here.file && here.file > 0 {
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
