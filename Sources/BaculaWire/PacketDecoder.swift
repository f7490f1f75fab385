/// Incremental bsock decoder: feed it byte chunks of any size as they arrive, take complete packets out.
///
/// The only memory it holds is the bytes it was given that do not yet form a packet. A header announcing more than
/// `WireLimits.maximumFrameLength` bytes is reported as `WireError.frameTooLarge` as soon as the header is complete,
/// before any payload is buffered; after any error the decoder stays failed (the connection must end).
public struct PacketDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Stream offset of `buffer[0]`.
    private var bufferOrigin = 0
    private var failure: WireError?
    private let limit: Int

    public init(limit: Int = WireLimits.maximumFrameLength) {
        self.limit = limit
    }

    /// Bytes received but not yet returned as packets.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            bufferOrigin += readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Takes out the bytes received but not yet returned as packets (e.g. a TLS hello that followed the last
    /// plaintext frame, spec §2.7) and empties the buffer.
    public mutating func takeBufferedBytes() -> [UInt8] {
        let rest = Array(buffer[readIndex...])
        bufferOrigin += buffer.count
        buffer.removeAll(keepingCapacity: true)
        readIndex = 0
        return rest
    }

    /// The next complete packet, or nil when more bytes are needed.
    public mutating func nextPacket() throws(WireError) -> Packet? {
        if let failure { throw failure }
        let available = buffer.count - readIndex
        guard available >= 4 else { return nil }
        let start = readIndex
        let offset = bufferOrigin + start
        let raw = Int32(bitPattern: readBigEndianWord(at: start))
        switch PacketHeader(rawValue: raw) {
        case .signal(let signal):
            readIndex += 4
            return Packet(body: .signal(signal), streamOffset: offset)
        case .payload(let length, let flags):
            guard length <= limit else {
                let error = WireError.frameTooLarge(length: length, streamOffset: offset)
                failure = error
                throw error
            }
            let headerLength = flags.contains(.extended) ? 8 : 4
            guard available >= headerLength + length else { return nil }
            let extended = flags.contains(.extended) ? ExtendedFlags(rawValue: readBigEndianWord(at: start + 4)) : nil
            let payloadStart = start + headerLength
            let bytes = Array(buffer[payloadStart..<payloadStart + length])
            readIndex = payloadStart + length
            return Packet(body: .payload(bytes: bytes, flags: flags, extendedFlags: extended), streamOffset: offset)
        }
    }

    /// The next complete message with LZ4 undone, or nil when more bytes are needed.
    public mutating func nextFrame() throws(WireError) -> Frame? {
        guard let packet = try nextPacket() else { return nil }
        do {
            return try packet.frame(limit: limit)
        } catch {
            failure = error
            throw error
        }
    }

    /// Call when the stream has ended: throws if it ended inside a packet.
    public func finish() throws(WireError) {
        if let failure { throw failure }
        let available = buffer.count - readIndex
        if available > 0 { throw .truncatedPacket(buffered: available, streamOffset: bufferOrigin + readIndex) }
    }

    private func readBigEndianWord(at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16 | UInt32(buffer[index + 2]) << 8
            | UInt32(buffer[index + 3])
    }
}
