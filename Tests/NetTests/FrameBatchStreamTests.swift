import BaculaWire
import Testing

@testable import Net

/// `BsockConnection.divertToStream`: a bulk stream read by one task in batches, over real loopback sockets.
@Suite struct FrameBatchStreamTests {
    /// Reads the stream to its end; the batches' frames in order and how many batches there were.
    static func drain(_ stream: FrameBatchStream) async throws -> (frames: [Frame], batches: Int) {
        var frames: [Frame] = []
        var batches = 0
        while let batch = try await stream.next() {
            #expect(!batch.isEmpty)
            frames += batch
            batches += 1
        }
        return (frames, batches)
    }

    @Test(arguments: [512 << 10, 1])
    func everyFrameUpToTheEndComesInOrderInBatchesAndTheRestFromRead(limit: Int) async throws {
        let stream = FrameDiversionTests.stream
        var result: (frames: [Frame], batches: Int)?
        try await FrameDiversionTests.serve(stream) { connection in
            try await connection.write(contentsOf: [.signal(.endOfData), .text("3000 OK close\n")])
            _ = try await connection.read()
        } _: { port in
            result = try await FrameDiversionTests.connect(port) { connection in
                let batches = connection.divertToStream(afterPassing: 1, limit: limit) { $0.signal == .endOfData }
                try await connection.write(text: "read data")
                #expect(try await connection.read() == .text("3000 OK data\n"))
                let drained = try await Self.drain(batches)
                #expect(try await batches.next() == nil)  // the end stays the end
                #expect(try await connection.read() == .text("3000 OK close\n"))
                try await connection.write(text: "bye")
                return drained
            }
        }
        let drained = try #require(result)
        let expected = stream.filter { $0.signal == nil } + [.signal(.endOfData)]
        let same = drained.frames == expected
        #expect(same, "\(drained.frames.count) frames, \(expected.count) expected")
        // With a limit of one byte every batch stops the socket until it is taken: still everything, in order.
        if limit > 1 { #expect(drained.batches < expected.count / 2) }
    }

    @Test func aPeerThatClosesMidStreamGivesTheQueuedFramesThenConnectionClosed() async throws {
        let sent = Array(FrameDiversionTests.stream.prefix(200))
        var received: [Frame] = []
        try await FrameDiversionTests.serve(sent) { connection in
            await connection.close()
        } _: { port in
            received = try await FrameDiversionTests.connect(port) { connection in
                let batches = connection.divertToStream(afterPassing: 1) { $0.signal == .endOfData }
                try await connection.write(text: "read data")
                #expect(try await connection.read() == .text("3000 OK data\n"))
                var frames: [Frame] = []
                await #expect(throws: FrameDiversionError.connectionClosed) {
                    while let batch = try await batches.next() { frames += batch }
                }
                return frames
            }
        }
        // The peer's close may overtake its last writes: what came is the start of what was sent, in order.
        let payloads = sent.filter { $0.signal == nil }
        let isPrefix = payloads.starts(with: received)
        #expect(isPrefix, "\(received.count) of \(payloads.count) frames, not in order")
    }
}
