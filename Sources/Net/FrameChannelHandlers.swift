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
final class FrameDecodingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Frame

    private var decoder = PacketDecoder()
    private var failed = false
    /// Frames still to decode before holding every further byte undecoded (nil: no hold). Set before the last
    /// plaintext frame of a handshake that switches to TLS: the bytes after it are the TLS stream.
    private var framesBeforeHold: Int?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        guard framesBeforeHold != nil else {
            do {
                // Whole packets are copied once, from NIO's buffer into their payload (`PacketDecoder.decode`).
                try buffer.withUnsafeReadableBytes { bytes in
                    try decoder.decode(bytes) { frame in context.fireChannelRead(wrapInboundOut(frame)) }
                }
            } catch {
                fail(error, context: context)
            }
            return
        }
        // Holding: frame by frame, so that the bytes after the last plaintext frame stay undecoded.
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        decodeFrames(context: context)
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
        return decoder.takeBufferedBytes()
    }
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
