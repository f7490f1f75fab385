import BaculaWire
import Dispatch
import Synchronization
import Testing

@testable import Net

/// `BsockConnection.divert`: a bulk stream taken in batches on the event loop, over real loopback sockets.
@Suite struct FrameDiversionTests {
    /// The stream the server sends after its reply: payloads of many sizes (some larger than one socket read),
    /// heartbeats in between.
    static let stream: [Frame] = (0..<600).map { i in
        i % 97 == 5 ? .signal(.heartbeat) : .payload([UInt8](repeating: UInt8(truncatingIfNeeded: i), count: (i * 7919) % 70_000))
    }

    /// Collects what the sink is given; says "full" every third batch and resumes from another thread.
    final class Collector: Sendable {
        let frames = Mutex<[Frame]>([])
        let batches = Atomic<Int>(0)
        let pauses = Atomic<Int>(0)

        var sink: FrameBatchSink {
            FrameBatchSink(isEnd: { $0.signal == .endOfData }) { [self] frames, resume in
                self.frames.withLock { $0 += frames }
                guard batches.add(1, ordering: .relaxed).newValue % 3 == 0 else { return true }
                pauses.add(1, ordering: .relaxed)
                DispatchQueue.global().async { resume() }
                return false
            }
        }
    }

    /// Server side: read one command, answer, send `frames`, then what `after` sends.
    static func serve(
        _ frames: [Frame], after: @escaping @Sendable (BsockConnection) async throws -> Void,
        _ body: (Int) async throws -> Void
    ) async throws {
        let log = CapturedLog()
        let clock = ManualClock()
        let server = try await BsockServer.bind(
            host: "127.0.0.1", port: 0, options: LoopbackTests.options(clock: clock, log: log, seed: 1, heartbeat: nil))
        try await LoopbackTests.withServer(server, decide: { _, _ in .handOver }) { accepted in
            let connection = accepted.connection
            #expect(try await connection.read() == .text("read data"))
            try await connection.write(text: "3000 OK data\n")
            for chunk in stride(from: 0, to: frames.count, by: 50) {
                try await connection.write(contentsOf: Array(frames[chunk..<min(chunk + 50, frames.count)]))
            }
            try await after(connection)
        } _: { port in
            try await body(port)
        }
    }

    static func connect<R: Sendable>(_ port: Int, _ body: (BsockConnection) async throws -> R) async throws -> R {
        try await BsockClient.withConnection(
            host: "127.0.0.1", port: port,
            options: LoopbackTests.options(clock: ManualClock(), log: CapturedLog(), seed: 2, heartbeat: nil)
        ) { connection in
            try await connection.write(.text("hello"))
            return try await body(connection)
        }
    }

    @Test func everyFrameUpToTheEndReachesTheSinkInOrderAndTheRestComesFromRead() async throws {
        let collector = Collector()
        try await Self.serve(Self.stream) { connection in
            try await connection.write(contentsOf: [.signal(.endOfData), .text("3000 OK close\n")])
            _ = try await connection.read()
        } _: { port in
            try await Self.connect(port) { connection in
                let diversion = connection.divert(afterPassing: 1, to: collector.sink)
                try await connection.write(text: "read data")
                #expect(try await connection.read() == .text("3000 OK data\n"))
                try await diversion.finished()
                #expect(try await connection.read() == .text("3000 OK close\n"))
                try await connection.write(text: "bye")
            }
        }
        let got = collector.frames.withLock { $0 }
        let expected = Self.stream.filter { $0.signal == nil } + [.signal(.endOfData)]  // the end frame comes last
        #expect(got.count == expected.count)
        #expect(got == expected)
        #expect(collector.pauses.load(ordering: .relaxed) > 0)
        // Batches are socket reads, not frames: far fewer hand-overs than frames.
        #expect(collector.batches.load(ordering: .relaxed) < expected.count / 2)
    }

    @Test func aPeerThatClosesMidStreamEndsTheDiversionWithConnectionClosed() async throws {
        let collector = Collector()
        try await Self.serve(Array(Self.stream.prefix(200))) { connection in
            await connection.close()
        } _: { port in
            try await Self.connect(port) { connection in
                let diversion = connection.divert(afterPassing: 1, to: collector.sink)
                try await connection.write(text: "read data")
                #expect(try await connection.read() == .text("3000 OK data\n"))
                await #expect(throws: FrameDiversionError.connectionClosed) { try await diversion.finished() }
            }
        }
    }

    struct Refused: Error, Equatable {}

    @Test func anErrorOfTheSinkEndsTheDiversionWithIt() async throws {
        let sink = FrameBatchSink(isEnd: { $0.signal == .endOfData }) { _, _ in throw Refused() }
        try await Self.serve(Array(Self.stream.prefix(20))) { connection in
            try await connection.write(.signal(.endOfData))
            _ = try await connection.read()
        } _: { port in
            try await Self.connect(port) { connection in
                let diversion = connection.divert(afterPassing: 1, to: sink)
                try await connection.write(text: "read data")
                #expect(try await connection.read() == .text("3000 OK data\n"))
                await #expect(throws: Refused()) { try await diversion.finished() }
                await connection.close()
            }
        }
    }
}
