import BaculaWire
import NIOCore

/// A frame to send and whether it may travel LZ4-compressed (the peer's announced version allows it, §1.5).
public struct OutboundFrame: Sendable {
    public var frame: Frame
    public var compress: Bool

    public init(_ frame: Frame, compress: Bool = false) {
        self.frame = frame
        self.compress = compress
    }
}

/// Inbound: bytes → frames through the pure `PacketDecoder`. A framing error (oversize length, bad LZ4) is fired
/// down the pipeline and the channel is closed: the connection ends, as with a Bacula peer (§1.3).
///
/// While a `DirectStreamReader` reads the socket itself (`direct`), the bytes of the socket reads it asks for are
/// handed to it undecoded and every other read request is held, so that SwiftNIO and the reader never read the socket
/// at the same time.
final class FrameDecodingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var decoder = PacketDecoder()
    private var failed = false
    /// Frames still to decode before holding every further byte undecoded (nil: no hold). Set before the last
    /// plaintext frame of a handshake that switches to TLS: the bytes after it are the TLS stream.
    private var framesBeforeHold: Int?
    /// The connection runs TLS (the socket's bytes are not the stream's).
    private var belowTLS = false
    /// A read went to the channel and no socket read has answered it yet (SwiftNIO may read the socket).
    private var readOutstanding = false
    /// The direct reader's side while it reads the socket; nil otherwise.
    private var direct: DirectReadState?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func read(context: ChannelHandlerContext) {
        if var direct {
            direct.readHeld = true
            self.direct = direct
            return
        }
        readOutstanding = true
        context.read()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if direct != nil {
            deliverDirect()
            return
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if direct != nil {
            direct?.closed = true
            deliverDirect()
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // SwiftNIO reads the whole rest of the stream by itself when the peer's FIN comes (its read-EOF handling).
        if direct != nil && !readOutstanding { direct?.unrequested = true }
        readOutstanding = false
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        if direct != nil {
            direct?.arrived.append(buffer)
            return
        }
        guard framesBeforeHold != nil else {
            // Whole packets are copied once, from NIO's buffer into their payload (`PacketDecoder.decode`).
            buffer.withUnsafeReadableBytes { decode($0, context: context) }
            return
        }
        // Holding: frame by frame, so that the bytes after the last plaintext frame stay undecoded.
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        decodeFrames(context: context)
    }

    /// Decodes `bytes` and passes on every frame completed; false after a framing error (the channel then closes).
    @discardableResult
    private func decode(_ bytes: UnsafeRawBufferPointer, context: ChannelHandlerContext) -> Bool {
        do {
            try decoder.decode(bytes) { frame in context.fireChannelRead(wrapInboundOut(frame)) }
            return true
        } catch {
            fail(error, context: context)
            return false
        }
    }

    private func decodeFrames(context: ChannelHandlerContext) {
        do {
            while framesBeforeHold != 0, let frame = try decoder.nextFrame() {
                if let left = framesBeforeHold { framesBeforeHold = left - 1 }
                context.fireChannelRead(wrapInboundOut(frame))
            }
        } catch {
            fail(error, context: context)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        failed = true
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    /// Decode `frames` more frames, then hold the rest of the stream undecoded until `releaseHeldBytes()`.
    func hold(after frames: Int) {
        framesBeforeHold = frames
    }

    /// Ends the hold and returns the bytes held (to be fed in again below a TLS handler).
    func releaseHeldBytes() -> [UInt8] {
        framesBeforeHold = nil
        belowTLS = true
        return decoder.takeBufferedBytes()
    }

    // MARK: Direct reading (`DirectStreamReader`)

    /// Starts handing the socket's bytes to a direct reader; nil when the connection runs TLS, holds back bytes for a
    /// TLS switch, or is already read directly. Returns the bytes received but not yet decoded (the stream's first
    /// bytes) and whether SwiftNIO may still read the socket once (a read is outstanding): the reader must then wait
    /// for that read's bytes (`requestBytes`) before it reads the socket itself.
    func enterDirect() -> (buffered: [UInt8], readOutstanding: Bool)? {
        guard !belowTLS, framesBeforeHold == nil, direct == nil, !failed, let context else { return nil }
        var state = DirectReadState()
        // SwiftNIO's reads for the reader only tell it that the socket has bytes: keep them small, one per wake-up.
        if let options = context.channel.syncOptions {
            state.allocator = try? options.getOption(ChannelOptions.recvAllocator)
            state.messagesPerRead = try? options.getOption(ChannelOptions.maxMessagesPerRead)
            try? options.setOption(
                ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: DirectStreamReader.nudgeReadSize))
            try? options.setOption(ChannelOptions.maxMessagesPerRead, value: 1)
        }
        direct = state
        return (decoder.takeBufferedBytes(), readOutstanding)
    }

    /// The reader has nothing left to read but the socket, and the socket had nothing: `deliver` gets the bytes of the
    /// next socket read SwiftNIO makes (after `delay`, nil: at once), or `.closed`. Runs on the event loop.
    func requestBytes(after delay: TimeAmount?, _ deliver: @escaping (DirectDelivery) -> Void) {
        guard var state = direct, let context else { return deliver(.closed) }
        state.waiter = deliver
        direct = state
        if !state.arrived.isEmpty || state.closed { return deliverDirect() }
        guard !readOutstanding else { return }  // its bytes will come
        guard let delay else {
            readOutstanding = true
            context.read()
            return
        }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: delay) {
            let handler = bound.value
            guard handler.direct?.waiter != nil, !handler.readOutstanding, let context = handler.context else { return }
            handler.readOutstanding = true
            context.read()
        }
    }

    /// Hands what arrived to the waiting reader, once a socket read is complete.
    private func deliverDirect() {
        guard var state = direct, let waiter = state.waiter else { return }
        if !state.arrived.isEmpty {
            let buffers = state.arrived
            state.arrived = []
            state.waiter = nil
            direct = state
            waiter(.bytes(buffers, socketFree: !readOutstanding))
        } else if state.closed {
            state.waiter = nil
            direct = state
            waiter(.closed)
        }
    }

    /// Whether SwiftNIO read the socket without a request since direct reading began (after the peer's FIN or a
    /// reset; it may then have read at the same time as the reader). Runs on the event loop, so no socket read of
    /// SwiftNIO's is half done.
    func readUnrequested() -> Bool { direct?.unrequested ?? false }

    /// Ends direct reading: `unread` (the bytes the reader took and did not use), then anything SwiftNIO read for
    /// it since, are decoded as frames again, and held reads go out; with `unread` nil (the reader's bytes may be
    /// out of order) both are dropped. Runs on the event loop.
    func leaveDirect(unread: [UInt8]?) {
        guard let state = direct, let context else { return }
        direct = nil
        if let options = context.channel.syncOptions {
            if let allocator = state.allocator { try? options.setOption(ChannelOptions.recvAllocator, value: allocator) }
            if let count = state.messagesPerRead { try? options.setOption(ChannelOptions.maxMessagesPerRead, value: count) }
        }
        var rest = unread ?? []
        if unread != nil { for var buffer in state.arrived { rest += buffer.readBytes(length: buffer.readableBytes) ?? [] } }
        if !rest.isEmpty {
            guard rest.withUnsafeBytes({ decode($0, context: context) }) else { return }
            context.fireChannelReadComplete()
        }
        if state.readHeld && !readOutstanding && !state.closed {
            readOutstanding = true
            context.read()
        }
    }
}

/// What a direct reader's wait for the socket got.
enum DirectDelivery {
    /// The bytes of one socket read cycle; `socketFree`: SwiftNIO has no read outstanding, so the reader may read
    /// the socket itself.
    case bytes([ByteBuffer], socketFree: Bool)
    /// The connection closed.
    case closed
}

/// The decoder's side of a direct read.
struct DirectReadState {
    /// Socket reads that came for the reader and were not handed over yet.
    var arrived: [ByteBuffer] = []
    /// The reader waiting for bytes.
    var waiter: ((DirectDelivery) -> Void)?
    /// A read request from the pipeline was held (it goes out when direct reading ends).
    var readHeld = false
    var closed = false
    /// SwiftNIO read the socket without a request (`readUnrequested`).
    var unrequested = false
    /// The channel's receive allocator and reads per wake-up before (restored at the end).
    var allocator: RecvByteBufferAllocator?
    var messagesPerRead: UInt?
}

/// Outbound: frames → packet bytes through the pure `FrameEncoder`.
final class FrameEncodingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = OutboundFrame
    typealias OutboundOut = ByteBuffer

    private var scratch: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outbound = unwrapOutboundIn(data)
        // An uncompressed payload goes straight into the ByteBuffer: one copy of the data, not two.
        if !outbound.compress, case .payload(let bytes) = outbound.frame {
            guard bytes.count <= WireLimits.maximumFrameLength else {
                promise?.fail(WireError.outgoingFrameTooLarge(length: bytes.count))
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: bytes.count + 4)
            buffer.writeInteger(UInt32(bytes.count))
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(buffer), promise: promise)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        do {
            try FrameEncoder.encode(outbound.frame, compress: outbound.compress, into: &scratch)
        } catch {
            promise?.fail(error)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: scratch.count)
        buffer.writeBytes(scratch)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Installs the bsock frame codec on a fresh channel.
    func addBsockFrameHandlers() throws {
        try addHandler(FrameDecodingHandler())
        try addHandler(FrameEncodingHandler())
    }
}
