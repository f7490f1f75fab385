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
    /// Bytes given so far (the stream offset of the next byte).
    private var received = 0
    /// `decode`: the payload of an uncompressed packet being filled in place, the bytes it still lacks and the
    /// stream offset of its header.
    private var partial: [UInt8] = []
    private var partialRemaining = 0
    private var partialOffset = 0
    private let limit: Int

    public init(limit: Int = WireLimits.maximumFrameLength) {
        self.limit = limit
    }

    /// Bytes received but not yet returned as packets.
    public var bufferedByteCount: Int { buffer.count - readIndex + (partialRemaining > 0 ? 4 + partial.count : 0) }

    /// Adds received bytes. After `decode`, a payload it was filling in place goes back into the buffer first, so
    /// the two ways of feeding may follow each other (e.g. `decode` for the data, `append` while a handshake needs
    /// the stream packet by packet).
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        spillPartial()
        compact()
        let kept = buffer.count
        buffer.append(contentsOf: bytes)
        received += buffer.count - kept
    }

    /// Adds bytes that `decode` did not take directly (one `memcpy`).
    private mutating func appendBuffered(_ bytes: UnsafeRawBufferPointer) {
        compact()
        Self.appendBytes(bytes, to: &buffer)
    }

    /// Puts a payload being filled in place back into the buffer, behind its header.
    private mutating func spillPartial() {
        guard partialRemaining > 0 else { return }
        let length = UInt32(partial.count + partialRemaining)
        let header = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        buffer = header + partial + buffer[readIndex...]
        readIndex = 0
        bufferOrigin = partialOffset
        partial = []
        partialRemaining = 0
    }

    /// Drops the packets already returned once they are at least half the buffer.
    private mutating func compact() {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            bufferOrigin += readIndex
            readIndex = 0
        }
    }

    /// Takes out the bytes received but not yet returned as packets (e.g. a TLS hello that followed the last
    /// plaintext frame, spec §2.7) and empties the buffer.
    public mutating func takeBufferedBytes() -> [UInt8] {
        spillPartial()
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

    /// Adds received bytes and hands over every message now complete, with LZ4 undone: the same messages, errors
    /// and stream offsets as `append` then `nextFrame` until nil, but every byte of an uncompressed packet is copied
    /// once, from `bytes` into its payload, whatever the chunk boundaries (a packet larger than what has arrived is
    /// filled in place as the rest comes). Other packets (compressed, extended header) go through the buffer.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, _ emit: (Frame) -> Void) throws(WireError) {
        if let failure { throw failure }
        let chunkOffset = received
        received += bytes.count
        var position = 0
        // A payload being filled in place.
        if partialRemaining > 0 {
            let count = min(partialRemaining, bytes.count)
            Self.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), to: &partial)
            partialRemaining -= count
            position = count
            guard partialRemaining == 0 else { return }
            let payload = partial
            partial = []
            emit(.payload(payload))
        }
        // Fewer than 4 bytes of a header wait in the buffer: complete it from this chunk.
        let pending = buffer.count - readIndex
        if pending > 0 && pending < 4 {
            let need = min(4 - pending, bytes.count - position)
            Self.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + need)]), to: &buffer)
            position += need
            guard buffer.count - readIndex == 4 else { return }
            let raw = Int32(bitPattern: readBigEndianWord(at: readIndex))
            if case .payload(let length, let flags) = PacketHeader(rawValue: raw), flags.isEmpty, length <= limit {
                let packetOffset = bufferOrigin + readIndex
                readIndex += 4
                position = takePayload(length: length, packetOffset: packetOffset, from: bytes, at: position, emit)
                if partialRemaining > 0 { return }
            }
        }
        // Nothing else waits in the buffer: whole packets straight from `bytes`.
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
            scanning: while bytes.count - position >= 4 {
                let raw = Int32(bitPattern: UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                switch PacketHeader(rawValue: raw) {
                case .signal(let signal):
                    emit(.signal(signal))
                    position += 4
                case .payload(let length, let flags):
                    guard flags.isEmpty, length <= limit else { break scanning }
                    position = takePayload(
                        length: length, packetOffset: chunkOffset + position, from: bytes, at: position + 4, emit)
                    if partialRemaining > 0 { return }
                }
            }
            bufferOrigin = chunkOffset + position
        }
        guard position < bytes.count else { return }
        appendBuffered(UnsafeRawBufferPointer(rebasing: bytes[position...]))
        while let frame = try nextFrame() { emit(frame) }
    }

    /// Hands over the payload of `length` bytes that starts at `start` in `bytes`, or starts filling it in place
    /// when not all of it has arrived; returns the position after what was taken.
    private mutating func takePayload(
        length: Int, packetOffset: Int, from bytes: UnsafeRawBufferPointer, at start: Int, _ emit: (Frame) -> Void
    ) -> Int {
        let available = bytes.count - start
        if available >= length {
            emit(.payload([UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]).bindMemory(to: UInt8.self))))
            return start + length
        }
        partial = []
        partial.reserveCapacity(length)
        Self.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[start...]), to: &partial)
        partialRemaining = length - available
        partialOffset = packetOffset
        return bytes.count
    }

    /// Appends raw bytes with one `memcpy`.
    private static func appendBytes(_ bytes: UnsafeRawBufferPointer, to array: inout [UInt8]) {
        array.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// Call when the stream has ended: throws if it ended inside a packet.
    public func finish() throws(WireError) {
        if let failure { throw failure }
        if partialRemaining > 0 { throw .truncatedPacket(buffered: 4 + partial.count, streamOffset: partialOffset) }
        let available = buffer.count - readIndex
        if available > 0 { throw .truncatedPacket(buffered: available, streamOffset: bufferOrigin + readIndex) }
    }

    private func readBigEndianWord(at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16 | UInt32(buffer[index + 2]) << 8
            | UInt32(buffer[index + 3])
    }
}
