/// What a volume writer hands to the medium.
public enum VolumeOutput {
    /// One block (already padded for tape).
    case block(UnsafeRawBufferPointer)
    /// One filemark (tape only).
    case filemark
}

/// The kind of medium a volume is written to; decides addresses, padding and filemarks (spec §2, §3.3, §8).
public enum VolumeMedium: Equatable, Sendable {
    /// `Device Type = File`: no padding, byte-offset addresses, no filemarks.
    case file
    /// A tape: blocks padded to 1024, (file << 32 | block) addresses, a filemark at job end and whenever
    /// `maximumFileSize` bytes would be reached within one tape file.
    case tape(maximumFileSize: Int)
}

/// Writes a volume the way a 9.6 SD does (spec §12b): label block, then per job SOS, the client's records verbatim,
/// EOS, flush (and a filemark on tape). Keeps the addresses and totals that the EOS label and JobMedia need.
public struct VolumeWriter: ~Copyable {
    public let medium: VolumeMedium
    private var blocks: BlockWriter
    /// Bytes written since the start of the volume (file volumes) — the next block's byte address.
    public private(set) var bytesWritten: UInt64 = 0
    /// Tape file number and block-in-file of the next block.
    public private(set) var tapeFile: UInt32 = 0
    public private(set) var tapeBlock: UInt32 = 0
    private var bytesInTapeFile = 0
    private var sessionStart = VolumeAddress.offset(0)
    private var sessionLabel: SessionLabel?
    /// FileIndex of the last file record of the current session.
    public private(set) var jobFiles: UInt32 = 0
    /// Sum of the data sizes of the session's file records ("SD Bytes Written").
    public private(set) var jobBytes: UInt64 = 0

    public init(medium: VolumeMedium, blockSize: Int = VolumeConstants.defaultBlockSize) {
        self.medium = medium
        let padding: BlockPadding = medium == .file ? .none : .multiple(VolumeFormat.tapePadding)
        blocks = BlockWriter(blockSize: blockSize, padding: padding)
    }

    /// Continues a file volume that already holds `byteOffset` bytes (label and earlier jobs): the next block is
    /// written at that offset and numbered `nextBlockNumber`. Only for `.file` media.
    public mutating func resumeFileVolume(atByteOffset byteOffset: UInt64, nextBlockNumber: UInt32) {
        bytesWritten = byteOffset
        blocks.nextBlockNumber = nextBlockNumber
    }

    /// The address the next block will have.
    public var nextAddress: VolumeAddress {
        medium == .file ? .offset(bytesWritten) : .tape(file: tapeFile, block: tapeBlock)
    }

    /// The block number the next block will carry.
    public var nextBlockNumber: UInt32 { blocks.nextBlockNumber }

    /// Writes block 0: the label alone, with the given session ids (0/0 for the `label` command).
    /// A PRE_LABEL on tape is followed by a filemark when `filemarkAfter` is set (the label command).
    public mutating func writeLabel(
        _ label: VolumeLabel, type: LabelType = .volumeLabel, sessionID: UInt32 = 0, sessionTime: UInt32 = 0,
        filemarkAfter: Bool = false, emit: (VolumeOutput) throws -> Void
    ) throws {
        blocks.nextBlockNumber = 0
        try withSink(emit) { w, sink in
            try w.setSession(id: sessionID, time: sessionTime, emit: sink)
            try w.append(fileIndex: type.rawValue, stream: 0, data: label.encoded(), unsplittable: true, emit: sink)
            try w.flush(emit: sink)
        }
        if filemarkAfter { try writeFilemark(emit: emit) }
    }

    /// Starts a session: SOS label first. `continueNumbering` keeps the block counter (job relabelled block 0).
    public mutating func beginSession(
        _ label: SessionLabel, sessionID: UInt32, sessionTime: UInt32, continueNumbering: Bool = false,
        emit: (VolumeOutput) throws -> Void
    ) throws {
        if !continueNumbering { blocks.nextBlockNumber = 0 }
        jobFiles = 0
        jobBytes = 0
        sessionLabel = label
        try withSink(emit) { w, sink in
            try w.setSession(id: sessionID, time: sessionTime, emit: sink)
        }
        sessionStart = nextAddress
        var sos = label
        sos.totals = nil
        try withSink(emit) { w, sink in
            try w.append(
                fileIndex: LabelType.startOfSession.rawValue, stream: Int32(bitPattern: label.jobID),
                data: sos.encoded(), unsplittable: true, emit: sink)
        }
    }

    /// Appends one client record (FileIndex > 0) verbatim.
    public mutating func append(
        fileIndex: Int32, stream: Int32, data: UnsafeRawBufferPointer, emit: (VolumeOutput) throws -> Void
    ) throws {
        if fileIndex > 0 { jobFiles = max(jobFiles, UInt32(fileIndex)) }
        jobBytes &+= UInt64(data.count)
        try withSink(emit) { w, sink in
            try w.append(fileIndex: fileIndex, stream: stream, data: data, emit: sink)
        }
    }

    /// Appends one client record from an array.
    public mutating func append(
        fileIndex: Int32, stream: Int32, data: [UInt8], emit: (VolumeOutput) throws -> Void
    ) throws {
        try data.withUnsafeBytes { try append(fileIndex: fileIndex, stream: stream, data: $0, emit: emit) }
    }

    /// Ends the session: EOS with totals, flush, and on tape a filemark. Returns the EOS label written.
    @discardableResult
    public mutating func endSession(
        status: Character = "T", errors: UInt32 = 0, writeTime: Int64? = nil, emit: (VolumeOutput) throws -> Void
    ) throws -> SessionLabel {
        guard var eos = sessionLabel else {
            throw VolumeError.malformed(what: "session", field: "EOS without SOS", offset: 0)
        }
        if let t = writeTime { eos.writeTime = t }
        eos.totals = SessionLabel.Totals(
            jobFiles: jobFiles, jobBytes: jobBytes, start: sessionStart, end: nextAddress, jobErrors: errors,
            jobStatus: status)
        try withSink(emit) { w, sink in
            try w.append(
                fileIndex: LabelType.endOfSession.rawValue, stream: Int32(bitPattern: eos.jobID), data: eos.encoded(),
                unsplittable: true, emit: sink)
            try w.flush(emit: sink)
        }
        sessionLabel = nil
        if case .tape = medium { try writeFilemark(emit: emit) }
        return eos
    }

    /// Writes any pending block.
    public mutating func flush(emit: (VolumeOutput) throws -> Void) throws {
        try withSink(emit) { w, sink in try w.flush(emit: sink) }
    }

    /// Writes a filemark (tape); a no-op for file volumes.
    public mutating func writeFilemark(emit: (VolumeOutput) throws -> Void) throws {
        guard case .tape = medium else { return }
        try flush(emit: emit)
        try emit(.filemark)
        tapeFile &+= 1
        tapeBlock = 0
        bytesInTapeFile = 0
    }

    /// Adapts the block emitter: tracks addresses and inserts filemarks at Maximum File Size.
    private mutating func withSink(
        _ emit: (VolumeOutput) throws -> Void,
        _ body: (inout BlockWriter, (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        var written: UInt64 = 0
        var file = tapeFile
        var block = tapeBlock
        var inFile = bytesInTapeFile
        let medium = self.medium
        try withoutActuallyEscaping(emit) { emit in
            try body(&blocks) { bytes in
                if case .tape(let limit) = medium, inFile > 0, inFile + bytes.count >= limit {
                    try emit(.filemark)
                    file &+= 1
                    block = 0
                    inFile = 0
                }
                try emit(.block(bytes))
                written &+= UInt64(bytes.count)
                block &+= 1
                inFile += bytes.count
            }
        }
        bytesWritten &+= written
        tapeFile = file
        tapeBlock = block
        bytesInTapeFile = inFile
    }
}
