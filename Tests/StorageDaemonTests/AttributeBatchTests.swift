import StorageProtocol
import Testing

@testable import StorageDaemon

/// `AttributeBatch`: when an append session's attributes go to the Director, and that they go in order.
@Suite struct AttributeBatchTests {
    static func update(_ fileIndex: Int32, bytes: Int = 10) -> AttributeUpdate {
        AttributeUpdate(
            jobID: 7, sessionID: 1, sessionTime: 2, fileIndex: fileIndex, stream: 1,
            data: [UInt8](repeating: UInt8(truncatingIfNeeded: fileIndex), count: bytes))
    }

    let start = ContinuousClock.now

    @Test func anEmptyBatchIsNeverDue() {
        let batch = AttributeBatch()
        #expect(batch.isEmpty)
        #expect(!batch.isDue(at: start + .seconds(3600)))
    }

    @Test func aBatchIsDueAtItsRecordCount() {
        var batch = AttributeBatch(limits: .init(records: 3, bytes: 1 << 20, age: .seconds(60)))
        batch.append(Self.update(1), at: start)
        batch.append(Self.update(2), at: start)
        #expect(!batch.isDue(at: start))
        batch.append(Self.update(3), at: start)
        #expect(batch.isDue(at: start))
    }

    @Test func aBatchIsDueAtItsBytes() {
        var batch = AttributeBatch(limits: .init(records: 100, bytes: 1000, age: .seconds(60)))
        batch.append(Self.update(1, bytes: 999), at: start)
        #expect(!batch.isDue(at: start))
        batch.append(Self.update(2, bytes: 1), at: start)
        #expect(batch.isDue(at: start))
    }

    @Test func aBatchIsDueWhenItsOldestRecordIsOld() {
        var batch = AttributeBatch(limits: .init(records: 100, bytes: 1 << 20, age: .milliseconds(50)))
        batch.append(Self.update(1), at: start)
        batch.append(Self.update(2), at: start + .milliseconds(40))
        #expect(!batch.isDue(at: start + .milliseconds(49)))
        #expect(batch.isDue(at: start + .milliseconds(50)))
    }

    @Test func takeGivesTheRequestsInOrderAndStartsAfresh() {
        var batch = AttributeBatch(limits: .init(records: 100, bytes: 1 << 20, age: .milliseconds(50)))
        for index in 1...5 { batch.append(Self.update(Int32(index)), at: start) }
        let taken = batch.take()
        #expect(taken == (1...5).map { .fileAttributes(Self.update(Int32($0))) })
        #expect(batch.isEmpty && batch.bytes == 0)
        // The age counts from the first record after the take.
        batch.append(Self.update(6), at: start + .seconds(10))
        #expect(!batch.isDue(at: start + .seconds(10) + .milliseconds(49)))
    }
}
