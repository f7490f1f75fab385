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

/// A sequential-access drive that holds one cartridge: the Linux st driver, a file-backed virtual tape, or a file
/// volume. Every implementation keeps the same contract so the volume writer does not know which one it drives.
public protocol TapeDrive: AnyObject {
    /// Writes one block as one record on the medium. Throws at end of medium.
    func writeBlock(_ block: [UInt8]) throws
    /// Reads the next block; returns nil at a filemark.
    func readBlock() throws -> [UInt8]?
    /// Writes `count` filemarks at the current position.
    func writeFilemarks(_ count: Int) throws
    /// Rewinds to the beginning of the tape.
    func rewind() throws
    /// The current position.
    func position() throws -> TapePosition
}
