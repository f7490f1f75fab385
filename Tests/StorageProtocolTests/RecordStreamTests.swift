import CapstanTestSupport
import BaculaVolume
import BaculaWire
import StorageProtocol
import Testing

@Suite struct RecordStreamTests {
    /// The backup session's record frames: everything the FD sent after `append data 1`.
    static func backupRecordFrames() throws -> [Frame] {
        let session = try Captures.backupSessions()[1]
        guard let start = session.incoming.firstIndex(of: .text("append data 1\n")) else {
            throw PcapError(description: "no append data in the backup FD session")
        }
        return Array(session.incoming[(start + 1)...])
    }

    static func backupRecords() throws -> (records: [Record], summary: RecordStreamSummary, consumed: Int) {
        var parser = RecordStreamParser(sessionID: 1, sessionTime: 1_795_706_784)
        var records: [Record] = []
        var consumed = 0
        for frame in try backupRecordFrames() {
            consumed += 1
            switch try parser.receive(frame) {
            case .record(let record): records.append(record)
            case .endOfData(let summary): return (records, summary, consumed)
            default: break
            }
        }
        throw PcapError(description: "record stream did not end")
    }

    @Test func backupStreamGivesEveryRecordAndTheJobTotals() throws {
        let (records, summary, consumed) = try Self.backupRecords()
        // Transcript: 6 files; 12 streams; 15 data packets (random.bin travelled as 4).
        #expect(summary.fileCount == 6)
        #expect(summary.lastFileIndex == 6)
        #expect(summary.streamCount == 12)
        #expect(records.count == 15)
        // SD 3099: JobBytes=200775 (every record byte); FD 2800: JobBytes=200114 (file contents).
        #expect(summary.byteCount == 200_775)
        #expect(summary.fileDataByteCount == 200_114)
        // The stream is followed directly by `append end session 1`.
        let frames = try Self.backupRecordFrames()
        #expect(frames[consumed] == .text("append end session 1\n"))
        #expect(records.map(\.fileIndex) == [1, 2, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5, 5, 5, 6])
        #expect(records.map(\.stream) == [1, 1, 2, 3, 1, 2, 3, 1, 1, 2, 2, 2, 2, 3, 1])
        #expect(records[2].data == Array("hello bacula\n".utf8))
        #expect(records[5].data == Array(repeating: UInt8(ascii: "A"), count: 100) + [0x0A])
        #expect(
            records.filter { $0.fileIndex == 5 && $0.stream == 2 }.map(\.data.count) == [65536, 65536, 65536, 3392])
        #expect(records.allSatisfy { $0.sessionID == 1 && $0.sessionTime == 1_795_706_784 })
    }

    /// The captured stream with every data packet of an open stream taken by `receiveData(count:)` (as capstan-sd
    /// takes the packets it receives straight into a block) gives the same records (header, file and stream) and
    /// the same totals; outside a stream `receiveData` takes nothing.
    @Test func dataTakenWithoutItsBytesCountsAsReceivedData() throws {
        let (records, summary, _) = try Self.backupRecords()
        var parser = RecordStreamParser(sessionID: 1, sessionTime: 1_795_706_784)
        #expect(parser.currentStream == nil)
        let outside = parser.receiveData(count: 10)
        #expect(outside == nil)
        var taken: [(Int32, Int32, Int)] = []
        var end: RecordStreamSummary?
        for frame in try Self.backupRecordFrames() where end == nil {
            if case .payload(let bytes) = frame, let stream = parser.currentStream {
                let taking = parser.receiveData(count: bytes.count)
                let header = try #require(taking)
                #expect(header == stream)
                taken.append((header.fileIndex, header.stream, bytes.count))
                continue
            }
            if case .endOfData(let totals) = try parser.receive(frame) { end = totals }
        }
        #expect(end == summary)
        #expect(taken.map(\.0) == records.map(\.fileIndex))
        #expect(taken.map(\.1) == records.map(\.stream))
        #expect(taken.map(\.2) == records.map(\.data.count))
        let afterTheEnd = parser.receiveData(count: 10)
        #expect(afterTheEnd == nil)
    }

    /// The real SD sent the restore (session 2) exactly these records back: encoding the records parsed from the
    /// backup reproduces every `rechdr` and data frame of the restore capture, and its final EOD.
    @Test func encodingTheBackupRecordsGivesTheRestoreStream() throws {
        let (records, _, _) = try Self.backupRecords()
        let restore = try Captures.backupSessions()[3]
        guard let start = restore.outgoing.firstIndex(of: .text("3000 OK data\n")) else {
            throw PcapError(description: "no 3000 OK data in the restore session")
        }
        var encoded: [Frame] = []
        for record in records { encoded += try RecordStreamEncoder.frames(for: record) }
        encoded.append(RecordStreamEncoder.endOfData)
        let captured = Array(restore.outgoing[(start + 1)..<(start + 1 + encoded.count)])
        #expect(captured.count == 31)
        for (index, (ours, theirs)) in zip(encoded, captured).enumerated() {
            #expect(ours == theirs, "frame \(index): \(ours.text.prefix(40)) vs \(theirs.text.prefix(40))")
        }
        #expect(restore.outgoing[start + 1 + encoded.count] == .text("3000 OK close Status = 82\n"))
    }

    @Test func heartbeatsAreSkippedAnywhere() throws {
        var parser = RecordStreamParser(sessionID: 7, sessionTime: 9)
        let frames: [Frame] = [
            .signal(.heartbeat), .text("1 1 0"), .signal(.heartbeat), .payload([1, 2, 3]), .signal(.endOfData),
            .signal(.heartbeat), .signal(.endOfData),
        ]
        var outputs: [RecordStreamParser.Output] = []
        for frame in frames { outputs.append(try parser.receive(frame)) }
        let header = RecordHeader(fileIndex: 1, stream: 1)
        #expect(
            outputs == [
                .none, .streamStarted(header), .none,
                .record(Record(sessionID: 7, sessionTime: 9, fileIndex: 1, stream: 1, data: [1, 2, 3])),
                .streamEnded(header), .none, .endOfData(parser.summary),
            ])
        #expect(parser.isFinished)
    }

    struct BadStream: Sendable, CustomTestStringConvertible {
        var name: String
        var frames: [Frame]
        var error: RecordStreamError
        var testDescription: String { name }
    }

    static let badStreams: [BadStream] = [
        BadStream(
            name: "header not numbers", frames: [.text("one 1 0")],
            error: .malformedHeader(line: "one 1 0", frame: 1)),
        BadStream(
            name: "header with two numbers", frames: [.text("1 1")], error: .malformedHeader(line: "1 1", frame: 1)),
        BadStream(
            name: "header with trailing text", frames: [.text("1 1 0 x")],
            error: .malformedHeader(line: "1 1 0 x", frame: 1)),
        BadStream(
            name: "first FileIndex not 1", frames: [.text("2 1 0")],
            error: .fileIndexOutOfOrder(previous: 0, received: 2, frame: 1)),
        BadStream(
            name: "FileIndex skips", frames: [.text("1 1 0"), .payload([1]), .signal(.endOfData), .text("3 1 0")],
            error: .fileIndexOutOfOrder(previous: 1, received: 3, frame: 4)),
        BadStream(
            name: "FileIndex goes back",
            frames: [.text("1 1 0"), .signal(.endOfData), .text("2 1 0"), .signal(.endOfData), .text("1 2 0")],
            error: .fileIndexOutOfOrder(previous: 2, received: 1, frame: 5)),
        BadStream(name: "stream zero", frames: [.text("1 0 0")], error: .invalidStream(0, fileIndex: 1, frame: 1)),
        BadStream(
            name: "empty data packet", frames: [.text("1 2 5"), .payload([])],
            error: .emptyDataPacket(fileIndex: 1, stream: 2, frame: 2)),
        BadStream(
            name: "terminate inside a stream", frames: [.text("1 2 5"), .signal(.terminate)],
            error: .unexpectedSignal(.terminate, frame: 2)),
        BadStream(
            name: "data after end", frames: [.signal(.endOfData), .text("1 1 0")],
            error: .frameAfterEndOfData(frame: 2)),
    ]

    @Test(arguments: badStreams) func malformedStreamsGetTypedErrors(_ bad: BadStream) {
        var parser = RecordStreamParser(sessionID: 1, sessionTime: 1)
        var caught: RecordStreamError?
        do {
            for frame in bad.frames { _ = try parser.receive(frame) }
        } catch {
            caught = error
        }
        #expect(caught == bad.error)
    }

    @Test func encoderRefusesLabelsAndOversizedRecords() {
        #expect(throws: RecordStreamError.labelRecord(fileIndex: -2)) {
            try RecordStreamEncoder.frames(
                for: Record(sessionID: 1, sessionTime: 1, fileIndex: -2, stream: 1, data: []))
        }
        let big = Record(
            sessionID: 1, sessionTime: 1, fileIndex: 1, stream: 2, data: [UInt8](repeating: 0, count: 1_000_001))
        #expect(throws: RecordStreamError.recordTooLarge(length: 1_000_001, fileIndex: 1, stream: 2)) {
            try RecordStreamEncoder.frames(for: big)
        }
    }
}
