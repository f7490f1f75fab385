import BaculaWire
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads a plaintext connection's bsock stream straight from its socket, so that a payload can be received into
/// memory the caller chooses (the SD receives a record's data into the block it belongs to: one copy, the kernel's,
/// where SwiftNIO and a frame would take three). Used by one task, between `BsockConnection.readDirectly()` and
/// `finish()`; the connection's `read()` must not be used meanwhile.
///
/// How the socket is shared with SwiftNIO (`FrameDecodingHandler`'s direct mode): the reader reads the socket with
/// non-blocking `recv` on a descriptor of its own while SwiftNIO reads nothing; when the socket is empty it asks the
/// event loop for one socket read (small: `nudgeReadSize`), whose bytes it takes and which tells it the socket has
/// more — SwiftNIO does the waiting (epoll), the reader the reading. After a wait cycle that read less than
/// `pacing.smallRead`, the next read request waits `pacing.delay` first (the bytes of a stream sent in small pieces
/// are then read together, as `ReadPacing` does for a diverted stream). On a `DirectReadThread` (the reading task
/// prefers it as its executor) the reader waits itself instead, in `poll(2)` on that thread, paced the same way.
///
/// In order, always: SwiftNIO also reads the socket by itself once the peer's FIN (or a reset) has come, and such a
/// read may run beside the reader's. So every packet the reader read any of itself is checked before it is returned
/// (`TCP_INFO`: still established, so no such read can have happened yet); once the connection is no longer
/// established the reader reads only through SwiftNIO, and if SwiftNIO had read by itself meanwhile the order of the
/// last bytes is unknown and the stream ends as closed (the peer was going away: nothing it sent before is lost).
///
/// Errors: the peer's end of stream between packets is `nextHeader() == nil`; inside one,
/// `FrameDiversionError.connectionClosed`; a header announcing more than `WireLimits.maximumFrameLength` bytes is
/// `WireError.frameTooLarge`; a reset is a `SocketError`.
public final class DirectStreamReader: @unchecked Sendable {
    private let channel: Channel
    /// The connection's decoder, used on its event loop only.
    private let decoder: NIOLoopBound<FrameDecodingHandler>
    private let socket: SocketDescriptor
    private let pacing: ReadPacing?
    /// Where the reader may wait for the socket in a blocking `poll` (when its code runs on that thread).
    private let thread: DirectReadThread?
    /// Bytes taken (from SwiftNIO or the socket) and not yet used.
    private var pending: ByteBuffer
    /// SwiftNIO has no read outstanding: the reader may read the socket itself.
    private var socketFree: Bool
    /// False once the connection was seen no longer established: only SwiftNIO reads from then on.
    private var directAllowed = true
    /// The reader read the socket itself since the last order check.
    private var readSinceCheck = false
    /// The stream ended because its last bytes may be out of order: nothing of it goes back to the decoder.
    private var disordered = false
    /// Bytes read since the last wait (pacing).
    private var sinceWait = 0
    /// Stream offset of the next byte (error messages).
    private var offset = 0
    private var finished = false
    /// Waits for the socket so far: in `poll` on the reader's thread, and through SwiftNIO's event loop.
    public private(set) var waitsOnThread = 0
    public private(set) var waitsOnLoop = 0
    /// How much one header refill reads from the socket: a packet header and the small packets after it, without
    /// taking much of a large payload that could go straight where it belongs.
    static let refillSize = 4096
    /// The size of the socket read SwiftNIO makes when the reader waits.
    static let nudgeReadSize = 4096

    init(channel: Channel, decoder: NIOLoopBound<FrameDecodingHandler>, socket: SocketDescriptor, buffered: [UInt8],
         socketFree: Bool, pacing: ReadPacing?, thread: DirectReadThread?) {
        self.channel = channel
        self.thread = thread
        self.decoder = decoder
        self.socket = socket
        self.pacing = pacing
        self.socketFree = socketFree
        pending = channel.allocator.buffer(capacity: max(Self.refillSize * 2, buffered.count))
        pending.writeBytes(buffered)
    }

    /// The next packet's header; nil when the peer ended the stream right before it.
    public func nextHeader() async throws -> PacketHeader? {
        while pending.readableBytes < 4 {
            guard try await refill() else {
                if pending.readableBytes == 0 { return nil }
                throw FrameDiversionError.connectionClosed
            }
        }
        guard let raw = pending.readInteger(as: Int32.self) else { throw FrameDiversionError.connectionClosed }
        offset += 4
        let header = PacketHeader(rawValue: raw)
        switch header {
        case .payload(let length, _) where length > WireLimits.maximumFrameLength:
            try await checkOrder()
            throw WireError.frameTooLarge(length: length, streamOffset: offset - 4)
        case .payload(0, _), .signal:
            try await checkOrder()  // a packet without bytes to read: complete now
        case .payload:
            break  // checked once its payload is read
        }
        return header
    }

    /// Receives exactly `buffer.count` bytes of the stream into `buffer`: what was taken already is copied, the rest
    /// is received from the socket straight into it.
    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws {
        var done = take(into: buffer)
        while done < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            if socketFree && directAllowed, let n = try receive(into: rest, behind: Self.lookahead) {
                guard n > 0 else {
                    try await checkOrder()  // the end, unless SwiftNIO took the last bytes meanwhile
                    throw FrameDiversionError.connectionClosed
                }
                done += min(n, rest.count)
                continue
            }
            guard try await wait() else { throw FrameDiversionError.connectionClosed }
            done += take(into: rest)
        }
        try await checkOrder()
    }

    /// Receives into `rest` (straight where the caller wants it) and then, in the same call, up to `behind` bytes
    /// into `pending` (the next packet's header and what follows it): one call per packet of a stream of large
    /// packets. `rest` may be empty (a refill of `pending` alone). The count, as `SocketDescriptor.receive`.
    private func receive(into rest: UnsafeMutableRawBufferPointer, behind: Int) throws -> Int? {
        if pending.readableBytes == 0 { pending.clear() } else { pending.discardReadBytes() }
        let socket = self.socket
        var received: Int?
        try pending.writeWithUnsafeMutableBytes(minimumWritableBytes: behind) { space in
            received = try socket.receive(into: rest, then: UnsafeMutableRawBufferPointer(rebasing: space.prefix(behind)))
            return max(0, (received ?? 0) - rest.count)
        }
        if let n = received {
            readSinceCheck = true
            sinceWait += n
            offset += min(n, rest.count)
        }
        return received
    }

    /// Bytes received behind a payload in the same call (`receive(into:)`): a header and the start of what follows.
    static let lookahead = 64

    /// Throws `connectionClosed` when the bytes read since the last check may be out of order (see the type's
    /// comment); from the first time the connection is no longer established, only SwiftNIO reads.
    private func checkOrder() async throws {
        guard readSinceCheck else { return }
        readSinceCheck = false
        if socket.isEstablished() { return }
        directAllowed = false
        let decoder = self.decoder
        if try await channel.eventLoop.submit({ decoder.value.readUnrequested() }).get() {
            disordered = true
            throw FrameDiversionError.connectionClosed
        }
    }

    /// The `count` bytes of a payload as an array.
    public func readBytes(count: Int) async throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        try await read(into: buffer)
        return [UInt8](UnsafeRawBufferPointer(buffer))
    }

    /// The frame of a packet whose header `nextHeader` returned: a signal, or its payload. A packet with header flags
    /// (an extended flags word, LZ4) goes whole through the codec (`PacketDecoder`), as on a connection read by frames.
    public func frame(after header: PacketHeader) async throws -> Frame {
        switch header {
        case .signal(let signal):
            return .signal(signal)
        case .payload(let length, let flags):
            if flags.isEmpty { return .payload(try await readBytes(count: length)) }
            var packet = PacketDecoder()
            packet.append(header.bytes + (try await readBytes(count: length + (flags.contains(.extended) ? 4 : 0))))
            guard let frame = try packet.nextFrame() else { throw FrameDiversionError.connectionClosed }  // complete here
            return frame
        }
    }

    /// Ends direct reading: the bytes taken and not used go back to the connection's decoder (the frames after the
    /// stream come from `read()` again) and SwiftNIO reads the socket again. Call once, when the stream has ended.
    /// (After an end for bytes out of order nothing goes back: the connection is closing.)
    public func finish() async {
        guard !finished else { return }
        finished = true
        let unread = pending.readBytes(length: pending.readableBytes) ?? []
        let decoder = self.decoder
        let disordered = self.disordered
        try? await channel.eventLoop.submit { decoder.value.leaveDirect(unread: disordered ? nil : unread) }.get()
        socket.close()
    }

    /// Copies what is pending into the start of `buffer`; returns the count.
    private func take(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, pending.readableBytes)
        guard n > 0 else { return 0 }
        pending.withUnsafeReadableBytes { bytes in
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: n)
        }
        pending.moveReaderIndex(forwardBy: n)
        offset += n
        return n
    }

    /// Adds bytes to `pending`: from the socket when it has some, else from a wait. False at the end of the stream.
    private func refill() async throws -> Bool {
        if socketFree && directAllowed, let n = try receive(into: UnsafeMutableRawBufferPointer(start: nil, count: 0), behind: Self.refillSize) {
            guard n > 0 else {
                try await checkOrder()  // the end, unless SwiftNIO took the last bytes meanwhile
                return false
            }
            return true
        }
        if pending.readableBytes == 0 { pending.clear() } else { pending.discardReadBytes() }
        return try await wait()
    }

    /// Waits for SwiftNIO's next socket read and takes its bytes into `pending`, or, on the reader's
    /// `DirectReadThread` while it may read the socket itself, until the socket is readable (nothing taken: the
    /// caller reads it); false when the connection closed.
    private func wait() async throws -> Bool {
        let delay: TimeAmount? = pacing.flatMap { sinceWait < $0.smallRead ? $0.delay : nil }
        sinceWait = 0
        if socketFree && directAllowed, let thread, thread.isCurrent {
            if let delay { usleep(UInt32(clamping: delay.nanoseconds / 1000)) }
            try socket.waitReadable()
            waitsOnThread += 1
            return true
        }
        waitsOnLoop += 1
        let decoder = self.decoder
        let loop = channel.eventLoop
        let delivery = await withCheckedContinuation { (continuation: CheckedContinuation<DirectDelivery, Never>) in
            loop.execute {
                decoder.value.requestBytes(after: delay) { continuation.resume(returning: $0) }
            }
        }
        switch delivery {
        case .closed:
            return false
        case .bytes(let buffers, let free):
            socketFree = free
            for var buffer in buffers {
                sinceWait += buffer.readableBytes
                pending.writeBuffer(&buffer)
            }
            return true
        }
    }
}

extension BsockConnection {
    /// Starts reading this connection's stream directly from its socket (`DirectStreamReader`); nil when it cannot be
    /// (TLS, the socket not found, a handshake's hold): the caller then reads frames as before. Call it before
    /// sending what the stream answers: the FD's records come only after that, so none of them is decoded first.
    /// `pacing`: how a stream sent in small pieces is read (see `ReadPacing`); `thread`: where the reader may wait for
    /// the socket itself (when the reading task prefers it as executor).
    public func readDirectly(pacing: ReadPacing? = nil, thread: DirectReadThread? = nil) async -> DirectStreamReader? {
        let channel = self.channel
        guard let local = channel.localAddress, let remote = channel.remoteAddress,
            let socket = SocketDescriptor.find(local: local, remote: remote)
        else { return nil }
        let entered = try? await channel.eventLoop.submit {
            () -> (NIOLoopBound<FrameDecodingHandler>, [UInt8], Bool)? in
            guard let decoder = try? channel.pipeline.syncOperations.handler(type: FrameDecodingHandler.self),
                let (buffered, outstanding) = decoder.enterDirect()
            else { return nil }
            return (NIOLoopBound(decoder, eventLoop: channel.eventLoop), buffered, !outstanding)
        }.get()
        guard let (decoder, buffered, free) = entered ?? nil else {
            socket.close()
            return nil
        }
        channel.closeFuture.whenComplete { _ in socket.shutdown() }
        return DirectStreamReader(
            channel: channel, decoder: decoder, socket: socket, buffered: buffered, socketFree: free, pacing: pacing,
            thread: thread)
    }
}
