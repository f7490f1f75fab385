import StorageProtocol
import Testing

/// `AttributeUpdate.Header`: the UpdCat packet's fixed part read in place (what capstan-dir files every attribute
/// record with), and the same packet through `AttributeUpdate(parsing:)`.
@Suite struct AttributeUpdateHeaderTests {
    static let record: [UInt8] = Array("7 3 /data/a".utf8) + [0] + Array("P0C BAA".utf8) + [0, 0, 0] + Array("0".utf8) + [0]

    @Test func readsTheHeaderAndWhereTheRecordStarts() throws {
        let update = AttributeUpdate(jobID: 4_000_000_000, sessionID: 9, sessionTime: 1_700_000_000, fileIndex: 7, stream: 1, data: Self.record)
        let packet = update.bytes
        let header = try packet.withUnsafeBufferPointer { try AttributeUpdate.Header(parsing: $0) }
        #expect(header.jobID == 4_000_000_000)
        #expect(header.sessionID == 9)
        #expect(header.sessionTime == 1_700_000_000)
        #expect(header.fileIndex == 7)
        #expect(header.stream == 1)
        #expect(Array(packet[header.dataStart...]) == Self.record)
        #expect(try AttributeUpdate(parsing: packet) == update)
    }

    @Test func refusesWhatTheSDWouldNotSend() {
        let good = AttributeUpdate(jobID: 12, sessionID: 1, sessionTime: 2, fileIndex: 3, stream: 1, data: Self.record).bytes
        func reason(_ bytes: [UInt8]) -> MessageError.Reason? {
            do {
                _ = try bytes.withUnsafeBufferPointer { try AttributeUpdate.Header(parsing: $0) }
                return nil
            } catch let error as MessageError {
                return error.reason
            } catch {
                Issue.record("unexpected error \(error)")
                return nil
            }
        }
        #expect(reason(good) == nil)
        #expect(reason(Array(good.dropLast())) == .badLength(expected: Self.record.count, actual: Self.record.count - 1))
        #expect(reason(good + [0]) == .badLength(expected: Self.record.count, actual: Self.record.count + 1))
        #expect(reason(Array("UpdCat JobId=12 FileAttributes ".utf8) + [0, 0, 0]) == .badLength(expected: 51, actual: 34))
        #expect(reason(Array("UpdCat JobId=012 FileAttributes ".utf8) + [UInt8](repeating: 0, count: 20)) == .unrecognized)
        #expect(reason(Array("UpdCat JobId= FileAttributes ".utf8) + [UInt8](repeating: 0, count: 20)) == .unrecognized)
        #expect(reason(Array("UpdCat JobId=12 Attributes ".utf8) + [UInt8](repeating: 0, count: 20)) == .unrecognized)
        #expect(reason(Array("UpdCat JobId=4294967296 FileAttributes ".utf8) + [UInt8](repeating: 0, count: 20))
            == .outOfRange(field: "JobId", value: 4_294_967_296))
        #expect(reason(Array("CatReq JobId=12".utf8)) == .unrecognized)
        #expect(reason([]) == .unrecognized)
    }
}
