import BaculaWire
import StorageProtocol
import Testing

@testable import FileDaemon

/// The read session's frames (header payload, data payload, …) as records.
@Suite struct ReadSessionRecordsTests {
    static func header(fileIndex: Int32, stream: Int32, length: Int) -> Frame {
        .payload(ReadRecordHeader(sessionID: 3, sessionTime: 1_795_000_000, fileIndex: fileIndex, stream: stream, dataLength: length).bytes)
    }

    @Test func headersAndDataMakeRecordsAndSignalsBetweenRecordsAreIgnored() throws {
        var records = ReadSessionRecords()
        var got: [ReadSessionRecords.Record] = []
        for frame in [
            Self.header(fileIndex: 1, stream: 1, length: 3), .payload([1, 2, 3]), .signal(.endOfDataPoll),
            Self.header(fileIndex: 1, stream: 2, length: 0), .payload([]),
        ] {
            if let record = try records.take(frame) { got.append(record) }
        }
        #expect(got.map(\.fileIndex) == [1, 1])
        #expect(got.map(\.stream) == [1, 2])
        #expect(got.map(\.data) == [[1, 2, 3], []])
        #expect(!records.isInsideRecord)
    }

    @Test func aSignalInPlaceOfDataAndABadHeaderAreErrors() throws {
        var records = ReadSessionRecords()
        _ = try records.take(Self.header(fileIndex: 4, stream: 1, length: 10))
        #expect(records.isInsideRecord)
        #expect(throws: StorageSessionError.self) { try records.take(.signal(.endOfDataPoll)) }
        var fresh = ReadSessionRecords()
        #expect(throws: StorageSessionError.self) { try fresh.take(.payload(Array("nonsense".utf8))) }
    }
}
