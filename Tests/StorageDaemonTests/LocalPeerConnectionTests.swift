import BaculaWire
import Net
import Synchronization
import Testing

@testable import StorageDaemon

/// The in-memory link between the read and write jobs of a Copy/Migrate inside one capstan-sd
/// (`LocalPeerConnection`): frames in order, backpressure, the end of the link, and Bacula's handshake over it.
@Suite struct LocalPeerConnectionTests {
    /// Frames arrive in order and by reference; a writer suspends while the link holds its capacity and goes on once
    /// the reader takes a frame; after `close()` the reader gets what was sent, then the end, and writes fail.
    @Test func framesArriveInOrderWithBackpressureAndTheEndAfterClose() async throws {
        let (a, b) = LocalPeerConnection.pair(capacity: 3)
        let sent = Mutex(0)
        let writer = Task {
            for i in 0..<10 {
                try await a.write(.payload([UInt8(i), 1]))
                sent.withLock { $0 += 1 }
            }
            try await a.write(.signal(.endOfData))
            await a.close()
        }
        // 2 bytes per frame, capacity 3: the writer stops after the second frame until something is read
        while sent.withLock({ $0 }) < 2 { await Task.yield() }
        for _ in 0..<50 { await Task.yield() }
        #expect(sent.withLock { $0 } == 2)
        var got: [Frame] = []
        while let frame = try await b.readIncludingHeartbeats() { got.append(frame) }
        try await writer.value
        #expect(got == (0..<10).map { Frame.payload([UInt8($0), 1]) } + [.signal(.endOfData)])
        await #expect(throws: LocalLinkError.self) { try await a.write(.payload([1])) }
        await #expect(throws: LocalLinkError.self) { try await b.write(.payload([1])) }
    }

    /// Record data reaches a waiting reader in batches, and nothing is lost when the link closes before a batch
    /// is full: the reader gets each frame, then the end.
    @Test func dataFramesQueuedForAWaitingReaderSurviveTheClose() async throws {
        let (a, b) = LocalPeerConnection.pair()
        let reader = Task { () -> [Int] in
            var sizes: [Int] = []
            while let frame = try await b.readIncludingHeartbeats() { sizes.append(frame.payload?.count ?? -1) }
            return sizes
        }
        for _ in 0..<50 { await Task.yield() }
        for n in [65536, 65536, 10] { try await a.write(.payload([UInt8](repeating: 7, count: n))) }
        try await a.write(.payload([UInt8](repeating: 7, count: 65536)))
        await a.close()
        #expect(try await reader.value == [65536, 65536, 10, 65536])
    }

    /// A diverted record stream comes in batches of what is queued: one batch up to the stream's end (the EOD where a
    /// stream header would be), the frames after the end left on the link for the session to read one by one; and a
    /// batch stops at its size.
    @Test func theRecordStreamComesInBatchesOfWhatIsQueuedUpToItsEnd() async throws {
        let (a, b) = LocalPeerConnection.pair()
        let header = Frame.payload(Array("1 1 0".utf8))
        let data = Frame.payload([UInt8](repeating: 9, count: 1000))
        let stream: [Frame] = [header, data, data, .signal(.endOfData), .signal(.heartbeat), .signal(.endOfData)]
        for frame in stream + [.payload(Array("after".utf8))] { try await a.write(frame) }
        let records = b.divertRecordStream()
        #expect(try await records.next() == stream)
        #expect(try await records.next() == nil)
        #expect(try await b.readIncludingHeartbeats() == .payload(Array("after".utf8)))

        let queue = LocalFrameQueue(capacity: 1 << 20)
        for frame in stream { try await queue.push(frame) }
        let bounded = LocalRecordStream(queue, batchBytes: 1500)
        #expect(try await bounded.next() == [header, data, data])
        #expect(try await bounded.next() == [.signal(.endOfData), .signal(.heartbeat), .signal(.endOfData)])
        #expect(try await bounded.next() == nil)
    }

    /// The closer (a cancel) wakes a reader waiting on an empty link: it reads the end.
    @Test func theCloserEndsAWaitingRead() async throws {
        let (a, b) = LocalPeerConnection.pair()
        let reader = Task { try await b.readIncludingHeartbeats() }
        for _ in 0..<50 { await Task.yield() }
        a.closer()
        #expect(try await reader.value == nil)
    }

    /// The connector's CRAM-MD5 over the link against the File-daemon session's acceptor handshake: with the job's
    /// key it ends authenticated with the welcome; with another key the acceptor refuses and the connector throws.
    @Test func bothHandshakesRunOverTheLink() async throws {
        for (key, accepted) in [("ABCD-EFGH", true), ("WRONG-KEY", false)] {
            let (connector, acceptor) = LocalPeerConnection.pair()
            let serving = Task { () -> Bool in
                guard case .payload(let hello)? = try await acceptor.readIncludingHeartbeats(),
                    (try? FileDaemonHelloToStorageDaemon(parsing: hello)) != nil
                else { return false }
                var handshake = Handshake(
                    acceptorKey: .jobKey("ABCD-EFGH"), challenge: ConnectionOptions.systemChallenge("sd"),
                    welcome: WelcomeLine.storageDaemon(version: 306).bytes)
                var action = handshake.start()
                while true {
                    switch action {
                    case .send(let frames):
                        for f in frames { try await acceptor.write(f) }
                    case .wait: break
                    case .authenticated(let frames, _):
                        for f in frames { try await acceptor.write(f) }
                        return true
                    case .fail(let frames, _):
                        for f in frames { try await acceptor.write(f) }
                        await acceptor.close()
                        return false
                    }
                    guard let frame = try await acceptor.readIncludingHeartbeats() else { return false }
                    action = handshake.received(frame)
                }
            }
            let hello = FileDaemonHelloToStorageDaemon(jobName: "Copy.1", fileDaemonVersion: 214, storageVersion: 306)
            if accepted {
                let outcome = try await connector.authenticateAsConnector(
                    hello: hello.bytes, key: .jobKey(key), challenge: ConnectionOptions.systemChallenge("sd"))
                #expect(outcome.welcome != nil)
            } else {
                await #expect(throws: (any Error).self) {
                    try await connector.authenticateAsConnector(
                        hello: hello.bytes, key: .jobKey(key), challenge: ConnectionOptions.systemChallenge("sd"))
                }
            }
            #expect(try await serving.value == accepted)
        }
    }
}
