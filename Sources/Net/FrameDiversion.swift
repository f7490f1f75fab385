import BaculaWire
import NIOCore

/// Takes a bulk stream of inbound frames on the connection's event loop, one batch per socket read, instead of one
/// `await` per frame through the inbound stream (used by the FD for a restore's record stream, spec §3.4.6).
///
/// `take` runs on the event loop and must not block. It returns false when its queue is full: the connection then
/// stops reading the socket (the peer's sends stall in TCP) until `resume` is called, from any thread. A thrown
/// error ends the diversion with that error.
public struct FrameBatchSink: Sendable {
    public typealias Take = @Sendable (_ frames: [Frame], _ resume: @escaping @Sendable () -> Void) throws -> Bool
    let take: Take
    let isEnd: @Sendable (Frame) -> Bool

    /// `isEnd`: the frame that ends the stream (given to `take` as the last frame of the last batch; the frames
    /// after it go to `read()` again).
    public init(isEnd: @escaping @Sendable (Frame) -> Bool, take: @escaping Take) {
        self.isEnd = isEnd
        self.take = take
    }
}

/// How a diverted bulk stream's socket is read when the peer sends in small pieces (a backup of small files: a few
/// frames per `send`). After a socket read that brought fewer than `smallRead` bytes, the next read waits `delay`,
/// so the bytes that arrive meanwhile are read, decoded and handed on in one batch: the event loop and the stream's
/// reader wake about once per `delay` instead of once per arrival (receive-side interrupt moderation). A read that
/// brought `smallRead` bytes or more is followed at once, so a fast stream is never slowed; a paced stream's
/// throughput is bounded only by what the socket buffer holds per `delay`.
public struct ReadPacing: Sendable, Equatable {
    public var delay: TimeAmount
    public var smallRead: Int

    public init(delay: TimeAmount, smallRead: Int) {
        self.delay = delay
        self.smallRead = smallRead
    }
}

/// Why a diversion ended without its end frame, other than a framing error or the sink's own error.
public enum FrameDiversionError: Error, CustomStringConvertible {
    /// The connection closed (or the handler was removed) before the end frame came.
    case connectionClosed

    public var description: String { "the connection closed before the end of the stream" }
}

/// A running diversion: `finished()` returns once the end frame came, or throws when the connection closed or
/// failed first, or `take` threw.
public struct FrameDiversion: Sendable {
    let done: EventLoopFuture<Void>

    public func finished() async throws { try await done.get() }

    /// `finished()` as a value: success once the end frame came, else the error.
    public func outcome() async -> Result<Void, any Error> {
        do {
            try await done.get()
            return .success(())
        } catch {
            return .failure(error)
        }
    }
}

extension BsockConnection {
    /// Sends the frames after the next `passing` payload frames (those still come from `read()`) to `sink` until its
    /// end frame; heartbeat signals are left out. Call it before sending the command whose answer precedes the
    /// stream: the handler is installed by a task on the event loop queued ahead of that command's write, so no
    /// frame of the stream can reach the inbound stream first. (Not `async`: an `async` version inlined into the
    /// caller made the release build's compiler crash, Swift 6.3.1.)
    /// `pacing`: how the socket is read while diverting (nil: every read at once).
    public func divert(afterPassing passing: Int, to sink: FrameBatchSink, pacing: ReadPacing? = nil) -> FrameDiversion {
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            do {
                let sync = channel.pipeline.syncOperations
                let handler = FrameDiversionHandler(passing: passing, sink: sink, done: promise, pacing: pacing)
                try sync.addHandler(handler, position: .after(try sync.handler(type: FrameEncodingHandler.self)))
            } catch {
                promise.fail(error)
            }
        }
        return FrameDiversion(done: promise.futureResult)
    }
}

/// Sits between the frame codec and the inbound stream. Passing: frames go on to the stream. Diverting: frames are
/// collected per socket read and handed to the sink at `channelReadComplete` (or at the end frame); reads are held
/// back while the sink is full, and after a small read for the pacing's delay. Ended: inert, everything goes on.
final class FrameDiversionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundIn = OutboundFrame
    typealias OutboundOut = OutboundFrame

    private enum State { case passing(Int), diverting, ended }
    private var state: State
    private let sink: FrameBatchSink
    private let done: EventLoopPromise<Void>
    private var batch: [Frame] = []
    private var paused = false
    private var readHeld = false
    private var context: ChannelHandlerContext?
    private let pacing: ReadPacing?
    /// Payload and header bytes of the frames of the current socket read.
    private var readBytes = 0
    /// Whether the last socket read while diverting was small (the next one waits for the pacing's delay).
    private var lastReadSmall = false
    /// The paced read waiting for its delay.
    private var pacedRead: Scheduled<Void>?

    init(passing: Int, sink: FrameBatchSink, done: EventLoopPromise<Void>, pacing: ReadPacing? = nil) {
        self.state = passing > 0 ? .passing(passing) : .diverting
        self.sink = sink
        self.done = done
        self.pacing = pacing
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        end(.failure(FrameDiversionError.connectionClosed), context: context)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch state {
        case .ended:
            context.fireChannelRead(data)
        case .passing(let left):
            if frame.payload != nil { state = left > 1 ? .passing(left - 1) : .diverting }
            context.fireChannelRead(data)
        case .diverting:
            if frame.signal?.isHeartbeat == true { return }
            readBytes += 4 + (frame.payload?.count ?? 0)
            if sink.isEnd(frame) {
                batch.append(frame)
                if deliver(context: context) { end(.success(()), context: context) }
            } else {
                batch.append(frame)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .diverting = state, let pacing {
            lastReadSmall = readBytes < pacing.smallRead
        }
        readBytes = 0
        deliver(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(.failure(FrameDiversionError.connectionClosed), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(.failure(error), context: context)
        context.fireErrorCaught(error)
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readHeld = true
        } else if case .diverting = state, lastReadSmall, let pacing {
            readHeld = true
            guard pacedRead == nil else { return }
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            pacedRead = context.eventLoop.scheduleTask(in: pacing.delay) {
                bound.value.pacedRead = nil
                bound.value.releaseHeldRead()
            }
        } else {
            context.read()
        }
    }

    /// Hands the batch to the sink; false when it threw (the diversion has then ended with its error).
    @discardableResult
    private func deliver(context: ChannelHandlerContext) -> Bool {
        guard case .diverting = state, !batch.isEmpty else { return true }
        let frames = batch
        batch = []
        let resume = resumer(context.eventLoop)
        do {
            if try !sink.take(frames, resume) { paused = true }
            return true
        } catch {
            end(.failure(error), context: context)
            return false
        }
    }

    private func resumer(_ loop: any EventLoop) -> @Sendable () -> Void {
        let bound = NIOLoopBound(self, eventLoop: loop)
        return { loop.execute { bound.value.resume() } }
    }

    /// The sink has room again.
    private func resume() {
        paused = false
        releaseHeldRead()
    }

    /// A held read goes out once the sink has room and no pacing delay runs.
    private func releaseHeldRead() {
        if readHeld, !paused, pacedRead == nil, let context {
            readHeld = false
            context.read()
        }
    }

    private func end(_ result: Result<Void, any Error>, context: ChannelHandlerContext) {
        if case .ended = state { return }
        state = .ended
        batch = []
        pacedRead?.cancel()
        pacedRead = nil
        done.completeWith(result)
        resume()
    }
}
