/// Where a tape is positioned, as the drive reports it.
public struct TapePosition: Equatable, Sendable {
    /// Filemarks passed since the beginning of the tape.
    public var file: Int
    /// Blocks passed since the last filemark.
    public var block: Int

    public init(file: Int, block: Int) {
        self.file = file
        self.block = block
    }
}

/// What one read from a tape returned.
public enum TapeRead: Equatable, Sendable {
    /// A record of `count` bytes is in the buffer.
    case block(count: Int)
    /// A filemark was read; the tape is now at block 0 of the next file.
    case filemark
    /// Blank tape: nothing was recorded here. The position does not change.
    case endOfData
}

/// A snapshot of the drive state (the facts MTIOCGET gives).
public struct TapeStatus: Equatable, Sendable {
    public var position: TapePosition
    public var atBeginning: Bool
    public var atEndOfData: Bool
    /// The last operation read or spaced over a filemark.
    public var afterFilemark: Bool
    public var writeProtected: Bool
    public var online: Bool
    /// The medium is in its early-warning zone (MTIOCGET's EOT bit): writes still succeed, end of medium is near.
    public var atEarlyWarning: Bool

    public init(
        position: TapePosition, atBeginning: Bool, atEndOfData: Bool, afterFilemark: Bool, writeProtected: Bool,
        online: Bool, atEarlyWarning: Bool = false
    ) {
        self.atEarlyWarning = atEarlyWarning
        self.position = position
        self.atBeginning = atBeginning
        self.atEndOfData = atEndOfData
        self.afterFilemark = afterFilemark
        self.writeProtected = writeProtected
        self.online = online
    }
}

/// Errors of the tape contract (device-independent).
public enum TapeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The record is bigger than the read buffer (the st driver's ENOMEM); the position is unchanged.
    case blockLargerThanBuffer(needed: Int?)
    /// No room for this block: end of medium. Nothing was written.
    case endOfMedium
    /// Spacing records stopped at a filemark (forward: positioned after it; backward: before it).
    case filemarkReached(TapePosition)
    /// Spacing stopped at the beginning of the tape.
    case beginningOfTape
    /// Spacing or reading ran into blank tape.
    case endOfData(TapePosition)
    /// The medium is write protected.
    case writeProtected
    /// The container is damaged at byte `offset`.
    case corruptImage(offset: Int64, detail: String)
    /// The kernel refused a call.
    case system(SystemError)
    /// The drive at `path` reported no cartridge online for `waited` (empty, or still threading the tape).
    case notReady(path: String, waited: Duration)

    public var description: String {
        switch self {
        case .blockLargerThanBuffer(let n): "tape record larger than the read buffer\(n.map { " (\($0) bytes)" } ?? "")"
        case .endOfMedium: "end of medium"
        case .filemarkReached(let p): "filemark reached at \(p.file):\(p.block)"
        case .beginningOfTape: "beginning of tape"
        case .endOfData(let p): "end of data at \(p.file):\(p.block)"
        case .writeProtected: "medium is write protected"
        case .corruptImage(let offset, let detail): "damaged tape image at byte \(offset): \(detail)"
        case .system(let e): e.description
        case .notReady(let path, let waited):
            "\(path): the drive reported no cartridge online after waiting \(waited.components.seconds)."
                + "\(waited.components.attoseconds / 100_000_000_000_000_000) s"
        }
    }
}

/// A sequential-access drive that holds one cartridge: the Linux st driver or a file-backed virtual tape. Every
/// implementation keeps the same contract so the volume writer does not know which one it drives.
///
/// Contracts (those of the Linux st driver in variable-block mode):
/// - `writeBlock` writes one record; everything after the current position is lost (tape semantics).
///   Throws `TapeError.endOfMedium` (nothing written) when the medium is full.
/// - `readBlock` reads one record; at a filemark it returns `.filemark` and moves past it; on blank tape
///   `.endOfData`. A record bigger than the buffer throws `.blockLargerThanBuffer` and leaves the position on that
///   record, so the caller grows the buffer and reads again.
/// - `writeFilemarks(n)` writes n filemarks at the current position (also truncating what follows).
/// - `spaceFiles(n)`: n > 0 moves forward past n filemarks (to block 0 of the file after); n < 0 moves back over
///   |n| filemarks and stops on their beginning-of-tape side (MTBSF). Running off an end throws.
/// - `spaceRecords(n)`: forward/back n records within the current file; a filemark stops it (`.filemarkReached`).
/// - `rewind()`: to file 0 block 0. `seekEndOfData()`: after the last recorded filemark or record (MTEOM).
/// - `position()` and `status()` report without moving.
public protocol TapeDrive: AnyObject {
    func writeBlock(_ block: UnsafeRawBufferPointer) throws
    func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead
    func writeFilemarks(_ count: Int) throws
    func spaceFiles(_ count: Int) throws
    func spaceRecords(_ count: Int) throws
    func rewind() throws
    func seekEndOfData() throws
    func position() throws -> TapePosition
    func status() throws -> TapeStatus
    /// Gives the device up (an st node can be open only once: the next cartridge's open needs it). Idempotent.
    func close() throws
    /// Times the medium stopped because the drive's buffer ran empty, for a drive that models its streaming (a
    /// virtual tape with a rated speed); nil for a drive that cannot tell (a real st drive, a file volume).
    var streamingStops: Int? { get }
}

extension TapeDrive {
    /// Drives with nothing to give up.
    public func close() throws {}

    /// Drives that cannot tell when their medium stops.
    public var streamingStops: Int? { nil }

    /// Reads the next block into a fresh array, growing the buffer as the drive asks; nil at a filemark or end of data.
    public func readBlock(maximumSize: Int = 20_000_000) throws -> [UInt8]? {
        var size = 65_536
        while true {
            var result = TapeRead.endOfData
            var grow: Int?
            let bytes = try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = 0
                do {
                    result = try readBlock(into: UnsafeMutableRawBufferPointer(buffer))
                    if case .block(let n) = result { count = n }
                } catch TapeError.blockLargerThanBuffer(let needed) {
                    grow = needed ?? size * 2
                }
            }
            if let g = grow {
                guard size < maximumSize else { throw TapeError.blockLargerThanBuffer(needed: g) }
                size = min(maximumSize, max(g, size * 2))
                continue
            }
            if case .block = result { return bytes }
            return nil
        }
    }
}
