import BaculaWire
import StorageProtocol
import Testing

/// `RecordStreamBoundary`: where a diverted record stream ends, on the capture's backup stream and on edge cases.
@Suite struct RecordStreamBoundaryTests {
    @Test func theCapturedBackupStreamEndsWhereTheParserSaysItDoes() throws {
        let frames = try RecordStreamTests.backupRecordFrames()
        let (_, _, consumed) = try RecordStreamTests.backupRecords()
        var boundary = RecordStreamBoundary()
        let end = frames.firstIndex { $0.signal?.isHeartbeat != true && boundary.isEnd($0) }
        #expect(end == consumed - 1)
    }

    @Test func anEmptyStreamEndsAtItsFirstFrame() {
        var boundary = RecordStreamBoundary()
        let end = boundary.isEnd(.signal(.endOfData))
        #expect(end)
    }

    @Test func theEndOfOneStreamIsNotTheEndOfData() {
        var boundary = RecordStreamBoundary()
        let frames: [Frame] = [.text("1 1 0"), .payload([1, 2]), .signal(.endOfData), .text("1 2 0"), .payload([3])]
        let ends = frames.map { boundary.isEnd($0) }
        #expect(ends == [false, false, false, false, false])
        let streamEnd = boundary.isEnd(.signal(.endOfData))
        let dataEnd = boundary.isEnd(.signal(.endOfData))
        #expect(!streamEnd)
        #expect(dataEnd)
    }
}
