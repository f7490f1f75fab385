import BaculaVolume
import BaculaWire

/// The header an FD sends before each stream of a file: `%ld %d %lld` = FileIndex Stream ExpectedLength, with no
/// newline (spec §3.4.3) [WIRE]. ExpectedLength is the file size for data streams, 0 otherwise; informational.
public struct RecordHeader: Hashable, Sendable {
    public var fileIndex: Int32
    public var stream: Int32
    public var expectedLength: Int64

    public init(fileIndex: Int32, stream: Int32, expectedLength: Int64 = 0) {
        self.fileIndex = fileIndex
        self.stream = stream
        self.expectedLength = expectedLength
    }

    /// Parses a header frame. Stricter than Bacula's scanner on purpose: three numbers, each with digits, and
    /// nothing but whitespace after them, so a data packet is never mistaken for a header. The numbers must be
    /// written as they print (`%ld %d %lld`: one space between, no sign but a leading `-`, no leading zeros), which
    /// is how every FD writes them; read in one pass, with no allocation (one header per stream of every file).
    public init?(parsing bytes: [UInt8]) {
        guard bytes.count <= 64 else { return nil }
        let parsed: (Int64, Int64, Int64)? = bytes.withUnsafeBufferPointer { buffer in
            var position = 0
            guard let index = Self.number(buffer, &position), Self.skipSpace(buffer, &position),
                let stream = Self.number(buffer, &position), Self.skipSpace(buffer, &position),
                let length = Self.number(buffer, &position)
            else { return nil }
            while position < buffer.count {
                guard BScanf.isSpaceByte(buffer[position]) else { return nil }
                position += 1
            }
            return (index, stream, length)
        }
        guard let (index, stream, length) = parsed, let index32 = Int32(exactly: index),
            let stream32 = Int32(exactly: stream)
        else { return nil }
        self.init(fileIndex: index32, stream: stream32, expectedLength: length)
    }

    /// One space, the separator of the printed form.
    private static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Bool {
        guard position < bytes.count, bytes[position] == 0x20 else { return false }
        position += 1
        return true
    }

    /// A decimal number as Swift prints an `Int64`: `-` only before a non-zero number, no leading zeros, in range.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Int64? {
        var i = position
        let negative = i < bytes.count && bytes[i] == 0x2D
        if negative { i += 1 }
        let first = i
        var magnitude: UInt64 = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[i] - 0x30))
            guard !o1, !o2 else { return nil }
            magnitude = sum
            i += 1
        }
        let digits = i - first
        guard digits > 0, digits == 1 || bytes[first] != 0x30, !(negative && magnitude == 0) else { return nil }
        let value: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { return nil }
            value = Int64(magnitude)
        }
        position = i
        return value
    }

    public var bytes: [UInt8] { Array("\(fileIndex) \(stream) \(expectedLength)".utf8) }
}

/// Turns the frames an FD sends after `3000 OK data` into records (spec §3.4.3) [WIRE: the capture's six files are
/// reconstructed record by record]: for every stream a header frame, one or more data frames (each one record;
/// packet boundaries are kept because compressed and sparse streams are per-packet formats), and an EOD; one more
/// EOD where a header would be ends the data. Heartbeats are skipped anywhere.
public struct RecordStreamParser: Sendable {
    /// What one frame produced.
    public enum Output: Equatable, Sendable {
        /// Nothing to do (a heartbeat).
        case none
        /// A stream begins.
        case streamStarted(RecordHeader)
        /// One data packet: store it as one record.
        case record(Record)
        /// The stream's EOD.
        case streamEnded(RecordHeader)
        /// The end-of-data EOD: the FD sent everything.
        case endOfData(RecordStreamSummary)
    }

    private enum State: Sendable {
        case awaitingHeader
        case inStream(RecordHeader)
        case finished
    }

    public let sessionID: UInt32
    public let sessionTime: UInt32
    private var state: State = .awaitingHeader
    private var previousFileIndex: Int32
    private var framesSeen = 0
    public private(set) var summary = RecordStreamSummary()

    /// `firstFileIndex` is 1, or the restart point of a resumed job.
    public init(sessionID: UInt32, sessionTime: UInt32, firstFileIndex: Int32 = 1) {
        self.sessionID = sessionID
        self.sessionTime = sessionTime
        self.previousFileIndex = firstFileIndex - 1
    }

    /// True once the end-of-data EOD arrived.
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// The stream whose data packets come now; nil while a stream header or the end is expected.
    public var currentStream: RecordHeader? {
        if case .inStream(let header) = state { return header }
        return nil
    }

    /// A data packet of `count` bytes (at least 1) of the current stream, received without passing through here
    /// (straight into a block): counted as `receive` counts a payload, and its record's header returned. nil when
    /// no stream is open (the packet must then go through `receive`).
    public mutating func receiveData(count: Int) -> RecordHeader? {
        guard case .inStream(let header) = state, count > 0 else { return nil }
        framesSeen += 1
        tally(dataOf: header, bytes: count)
        return header
    }

    private mutating func tally(dataOf header: RecordHeader, bytes: Int) {
        summary.recordCount += 1
        summary.byteCount += UInt64(bytes)
        if StreamKind(header.stream).isFileContents { summary.fileDataByteCount += UInt64(bytes) }
    }

    public mutating func receive(_ frame: Frame) throws(RecordStreamError) -> Output {
        framesSeen += 1
        let number = framesSeen
        if case .signal(let signal) = frame, signal.isHeartbeat { return .none }
        switch state {
        case .finished:
            throw .frameAfterEndOfData(frame: number)
        case .awaitingHeader:
            switch frame {
            case .signal(.endOfData):
                state = .finished
                return .endOfData(summary)
            case .signal(let signal):
                throw .unexpectedSignal(signal, frame: number)
            case .payload(let bytes):
                guard let header = RecordHeader(parsing: bytes) else {
                    throw .malformedHeader(line: Printable.prefix(bytes, limit: 40), frame: number)
                }
                let index = header.fileIndex
                guard index > 0, index == previousFileIndex + 1 || (index == previousFileIndex && index > 0) else {
                    throw .fileIndexOutOfOrder(previous: previousFileIndex, received: index, frame: number)
                }
                guard header.stream > 0 else { throw .invalidStream(header.stream, fileIndex: index, frame: number) }
                if index != previousFileIndex { summary.fileCount += 1 }
                previousFileIndex = index
                summary.lastFileIndex = index
                summary.streamCount += 1
                state = .inStream(header)
                return .streamStarted(header)
            }
        case .inStream(let header):
            switch frame {
            case .signal(.endOfData):
                state = .awaitingHeader
                return .streamEnded(header)
            case .signal(let signal):
                throw .unexpectedSignal(signal, frame: number)
            case .payload(let bytes):
                guard !bytes.isEmpty else {
                    throw .emptyDataPacket(fileIndex: header.fileIndex, stream: header.stream, frame: number)
                }
                tally(dataOf: header, bytes: bytes.count)
                return .record(
                    Record(
                        sessionID: sessionID, sessionTime: sessionTime, fileIndex: header.fileIndex,
                        stream: header.stream, data: bytes))
            }
        }
    }
}

/// Totals of an append session's record stream.
public struct RecordStreamSummary: Hashable, Sendable {
    /// Distinct FileIndex values seen (the job's file count).
    public var fileCount: UInt32 = 0
    public var lastFileIndex: Int32 = 0
    public var streamCount: Int = 0
    public var recordCount: Int = 0
    /// Every record byte (what the SD reports as JobBytes in `3099`).
    public var byteCount: UInt64 = 0
    /// Bytes of file-contents streams only (what the FD reports as JobBytes).
    public var fileDataByteCount: UInt64 = 0

    public init() {}
}

/// What a stream number carries, as far as an SD cares (spec §3.4.4).
public struct StreamKind: Hashable, Sendable {
    public var type: Int32

    public init(_ stream: Int32) { type = stream & StreamType.mask }

    /// Attribute-like records the SD forwards to the catalog (1, 5, 28) and digests (3, 10, 17, 18).
    public var isCatalogued: Bool { [1, 5, 28].contains(type) || StreamType.digestLength(type) != nil }

    /// Streams that carry file contents (what an FD counts as JobBytes): plain, compressed, sparse, Win32,
    /// encrypted and program/plugin data; not attributes, digests, signatures, ACLs or xattrs.
    public var isFileContents: Bool {
        switch type {
        case 2, 4, 6, 7, 9, 11, 12, 13, 20, 22, 23, 24, 25, 27, 29, 30, 31, 32, 33: return true
        default: return false
        }
    }
}

extension BScanf {
    /// Whitespace as the scanner sees it.
    static func isSpaceByte(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
