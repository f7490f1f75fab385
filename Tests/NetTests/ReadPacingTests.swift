import BaculaWire
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Net

/// `ReadPacing` in `FrameDiversionHandler`: after a small socket read the next read waits for the delay; a large
/// read, the stream's end or no pacing lets it go at once. On an `EmbeddedChannel` (a mock event loop and socket:
/// the point is when `read` reaches the socket, which only a virtual clock can show without sleeping).
@Suite struct ReadPacingTests {
    /// Counts the reads that reach the socket (sits between the head and the diversion).
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    final class Batches: Sendable { let all = Mutex<[[Frame]]>([]) }

    /// A channel with the counter and a diverting handler paced by `pacing`; the sink keeps every batch's frames.
    final class Setup {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let batches = Batches()
        let done: EventLoopPromise<Void>

        init(pacing: ReadPacing?) throws {
            done = channel.eventLoop.makePromise()
            let batches = self.batches
            let sink = FrameBatchSink(isEnd: { $0.signal == .endOfData }) { frames, _ in
                batches.all.withLock { $0.append(frames) }
                return true
            }
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(
                FrameDiversionHandler(passing: 0, sink: sink, done: done, pacing: pacing))
        }
    }

    static let pacing = ReadPacing(delay: .milliseconds(2), smallRead: 1000)

    @Test func aReadAfterASmallReadWaitsForTheDelay() throws {
        let setup = try Setup(pacing: Self.pacing)
        try setup.channel.writeInbound(Frame.payload([UInt8](repeating: 1, count: 100)))
        setup.channel.read()
        #expect(setup.counter.reads == 0)
        setup.channel.embeddedEventLoop.advanceTime(by: .microseconds(1_999))
        #expect(setup.counter.reads == 0)
        setup.channel.embeddedEventLoop.advanceTime(by: .microseconds(1))
        #expect(setup.counter.reads == 1)
        // More reads asked for during one delay go out once.
        try setup.channel.writeInbound(Frame.payload([1, 2, 3]))
        setup.channel.read()
        setup.channel.read()
        setup.channel.embeddedEventLoop.advanceTime(by: .milliseconds(5))
        #expect(setup.counter.reads == 2)
        #expect(setup.batches.all.withLock { $0.count } == 2)
    }

    @Test func aReadAfterALargeReadGoesAtOnce() throws {
        let setup = try Setup(pacing: Self.pacing)
        try setup.channel.writeInbound(Frame.payload([UInt8](repeating: 2, count: 996)))  // 4 + 996 = smallRead
        setup.channel.read()
        #expect(setup.counter.reads == 1)
    }

    @Test func theStreamsEndReleasesAHeldReadAtOnce() throws {
        let setup = try Setup(pacing: Self.pacing)
        try setup.channel.writeInbound(Frame.payload([3]))
        setup.channel.read()
        #expect(setup.counter.reads == 0)
        try setup.channel.writeInbound(Frame.signal(.endOfData))
        #expect(setup.counter.reads == 1)
        try setup.done.futureResult.wait()
        // Ended: reads pass at once, and the cancelled delay does not read again later.
        setup.channel.read()
        setup.channel.embeddedEventLoop.advanceTime(by: .milliseconds(5))
        #expect(setup.counter.reads == 2)
        #expect(setup.batches.all.withLock { $0.flatMap { $0 } } == [.payload([3]), .signal(.endOfData)])
    }

    @Test func withoutPacingEveryReadGoesAtOnce() throws {
        let setup = try Setup(pacing: nil)
        try setup.channel.writeInbound(Frame.payload([4]))
        setup.channel.read()
        #expect(setup.counter.reads == 1)
    }
}
