import BaculaVolume

/// Facts read back from a finished BB02 block without copying it: the block number and the FileIndex range of
/// its data records (for JobMedia). Walks record headers only; bounds come from the block itself and the buffer.
enum BlockScan {
    private static func u32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// The BlockNumber field, nil when the buffer is too short for a header.
    static func blockNumber(_ block: UnsafeRawBufferPointer) -> UInt32? {
        block.count >= VolumeFormat.blockHeaderSize ? u32(block, 8) : nil
    }

    /// First and last positive FileIndex in the block, nil when it holds only labels.
    static func fileIndexRange(_ block: UnsafeRawBufferPointer) -> (first: Int32, last: Int32)? {
        guard block.count >= VolumeFormat.blockHeaderSize else { return nil }
        let end = min(Int(u32(block, 4)), block.count)
        var offset = VolumeFormat.blockHeaderSize
        var first: Int32?
        var last: Int32 = 0
        while end - offset >= VolumeFormat.recordHeaderSize {
            let fileIndex = Int32(bitPattern: u32(block, offset))
            let remaining = Int(u32(block, offset + 8))
            offset += VolumeFormat.recordHeaderSize
            offset += min(remaining, end - offset)
            if fileIndex > 0 {
                if first == nil { first = fileIndex }
                last = fileIndex
            }
        }
        return first.map { ($0, last) }
    }
}
