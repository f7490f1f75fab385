/// Cuts blocks into records and joins records split across blocks (spec §4.2 reader rules).
/// One pending partial record is kept per (VolSessionId, VolSessionTime) of the block header, so interleaved
/// blocks of concurrent jobs reassemble independently.
public struct RecordAssembler: Sendable {
    private struct SessionKey: Hashable, Sendable {
        var id: UInt32
        var time: UInt32
    }

    private struct Partial: Sendable {
        var record: Record
        var expected: Int
    }

    private var pending: [SessionKey: Partial] = [:]

    public init() {}

    /// Forgets every partial record (after a reposition).
    public mutating func reset() { pending.removeAll(keepingCapacity: true) }

    /// Gives every partial record the address `address`: a record carried over to the next volume is then found
    /// where its continuation is (the bootstrap of that volume selects by its addresses).
    public mutating func moveUnfinishedRecords(to address: VolumeAddress) {
        for key in pending.keys { pending[key]?.record.address = address }
    }

    /// Decodes the records of one verified block (`bytes` holds at least `header.length` bytes) and calls `emit` for
    /// every record that is complete after this block.
    public mutating func consume(
        block bytes: UnsafeRawBufferPointer, header: BlockHeader, address: VolumeAddress,
        emit: (Record) throws -> Void
    ) throws {
        let end = Int(header.length)
        let legacy = header.version == 1
        let recordHeaderSize = legacy ? VolumeFormat.legacyRecordHeaderSize : VolumeFormat.recordHeaderSize
        var offset = header.headerSize
        while end - offset >= recordHeaderSize {
            var key = SessionKey(id: header.sessionID, time: header.sessionTime)
            var at = offset
            if legacy {
                key = SessionKey(id: BigEndian.u32(bytes, at), time: BigEndian.u32(bytes, at + 4))
                at += 8
            }
            let fileIndex = BigEndian.i32(bytes, at)
            let stream = BigEndian.i32(bytes, at + 4)
            let remaining = BigEndian.u32(bytes, at + 8)
            offset += recordHeaderSize
            if fileIndex == LabelType.endOfMedium.rawValue { return }
            guard Int(remaining) < VolumeFormat.sanityLimit else {
                throw VolumeError.badRecordLength(
                    address: address, fileIndex: fileIndex, stream: stream, length: remaining)
            }
            let available = min(Int(remaining), end - offset)
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + available)])
            offset += available
            if stream < 0 {
                let baseStream = stream == Int32.min ? Int32.min : -stream
                if var partial = pending[key], partial.record.fileIndex == fileIndex,
                    partial.record.stream == baseStream
                {
                    pending[key] = nil
                    partial.record.data.append(contentsOf: piece)
                    if partial.record.data.count >= partial.expected {
                        try emit(partial.record)
                    } else {
                        pending[key] = partial
                    }
                    continue
                }
                // A tail without its head: deliver what is here, flagged.
                let record = Record(
                    sessionID: key.id, sessionTime: key.time, fileIndex: fileIndex, stream: baseStream,
                    data: Array(piece), address: address, isContinuation: true)
                if available >= Int(remaining) {
                    try emit(record)
                } else {
                    pending[key] = Partial(record: record, expected: Int(remaining))
                }
                continue
            }
            // A new data record abandons an unfinished one of its session; a label (a continuation volume's VOL_LABEL
            // carries the job's session) does not.
            if fileIndex > 0 { pending[key] = nil }
            var data = [UInt8]()
            if available < Int(remaining) { data.reserveCapacity(Int(remaining)) }
            data.append(contentsOf: piece)
            let record = Record(
                sessionID: key.id, sessionTime: key.time, fileIndex: fileIndex, stream: stream,
                data: data, address: address)
            if available >= Int(remaining) {
                try emit(record)
            } else {
                pending[key] = Partial(record: record, expected: Int(remaining))
            }
        }
    }
}
