import BaculaWire
import NIOCore
import Synchronization
import Testing

@testable import Net

/// `BsockConnection.readDirectly`: the stream read straight from the socket, over real loopback sockets.
@Suite struct DirectStreamReaderTests {
    /// What the reader made of one packet: a payload received into the caller's memory, or a frame.
    enum Read: Equatable {
        case received([UInt8])
        case frame(Frame)
    }

    /// Reads packets until an EOD: payloads of at least `inPlace` bytes into memory of the test's own (as the SD
    /// receives record data into its block), the others as frames. nil at the peer's end between packets.
    static func readUntilEndOfData(_ reader: DirectStreamReader, inPlace: Int = 512) async throws -> [Read]? {
        var got: [Read] = []
        return try await readUntilEndOfData(reader, into: &got, inPlace: inPlace) ? got : nil
    }

    /// `readUntilEndOfData`, keeping what was read when it throws: true at the EOD, false at the peer's end.
    static func readUntilEndOfData(_ reader: DirectStreamReader, into got: inout [Read], inPlace: Int = 512) async throws -> Bool {
        while true {
            guard let read = try await readPacket(reader, inPlace: inPlace) else { return false }
            got.append(read)
            if read == .frame(.signal(.endOfData)) { return true }
        }
    }

    /// One packet: a payload of at least `inPlace` bytes into memory of the test's own (as the SD receives record
    /// data into its block), another as a frame; nil at the peer's end between packets.
    static func readPacket(_ reader: DirectStreamReader, inPlace: Int = 512) async throws -> Read? {
        guard let header = try await reader.nextHeader() else { return nil }
        if case .payload(let length, let flags) = header, flags.isEmpty, length >= inPlace {
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
            defer { memory.deallocate() }
            try await reader.read(into: memory)
            return .received(Array(memory))
        }
        return .frame(try await reader.frame(after: header))
    }

    /// Where the reader waits for the socket: through SwiftNIO's event loop, or in `poll` on a `DirectReadThread` its
    /// task prefers (as capstan-sd's append sessions read).
    enum Waits: CaseIterable, Sendable {
        case eventLoop, readThread
    }

    /// Runs `body` as the reading task: on a `DirectReadThread` it prefers (passed to `body` for `readDirectly`), or
    /// as it is.
    static func reading<R>(_ waits: Waits, _ body: (DirectReadThread?) async throws -> R) async throws -> R {
        guard waits == .readThread else { return try await body(nil) }
        let thread = DirectReadThread(name: "test reader")
        do {
            let result = try await withTaskExecutorPreference(thread) { try await body(thread) }
            await thread.finish()
            return result
        } catch {
            await thread.finish()
            throw error
        }
    }

    /// Connects to `port`, reads the connection directly (waiting as `waits` says), asks for the stream ("read data")
    /// and runs `body` with the connection and its reader.
    static func readingDirectly<R>(
        _ port: Int, _ waits: Waits, _ body: (BsockConnection, DirectStreamReader) async throws -> R
    ) async throws -> R where R: Sendable {
        try await FrameDiversionTests.connect(port) { connection in
            try await reading(waits) { thread in
                let reader = try #require(await connection.readDirectly(thread: thread))
                try await connection.write(text: "read data")
                return try await body(connection, reader)
            }
        }
    }

    /// The frames as the reader should give them back.
    static func expected(_ frames: [Frame], inPlace: Int = 512) -> [Read] {
        frames.map { frame in
            if case .payload(let bytes) = frame, bytes.count >= inPlace { return .received(bytes) }
            return .frame(frame)
        }
    }

    @Test(arguments: Waits.allCases) func everyPacketComesInOrderAndTheFramesAfterTheStreamComeFromRead(waits: Waits) async throws {
        let stream = FrameDiversionTests.stream + [.signal(.endOfData)]
        try await FrameDiversionTests.serve([]) { connection in
            // The stream right behind the reply, and the next reply right behind the stream: one read may hold the
            // end of the stream and the frame after it.
            for chunk in stride(from: 0, to: stream.count, by: 50) {
                try await connection.write(contentsOf: Array(stream[chunk..<min(chunk + 50, stream.count)]))
            }
            try await connection.write(text: "3000 OK close\n")
            #expect(try await connection.read() == .text("bye"))
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                let got = try #require(try await Self.readUntilEndOfData(reader))
                #expect(got.first == .frame(.text("3000 OK data\n")))
                #expect(Array(got.dropFirst()) == Self.expected(stream))
                await reader.finish()
                #expect(try await connection.read() == .text("3000 OK close\n"))
                try await connection.write(text: "bye")
            }
        }
    }

    @Test(arguments: Waits.allCases) func compressedPacketsAreDecompressed(waits: Waits) async throws {
        let text = [UInt8](String(repeating: "compressible record data ", count: 400).utf8)
        let stream: [Frame] = [.payload(text), .payload(Array(text.prefix(3000))), .signal(.endOfData)]
        try await FrameDiversionTests.serve([]) { connection in
            connection.compressOutgoing = true
            try await connection.write(contentsOf: stream)
            _ = try await connection.read()
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                let got = try #require(try await Self.readUntilEndOfData(reader))
                // Compressed packets carry a flag: they come as frames, their bytes as they were sent.
                #expect(got == [.frame(.text("3000 OK data\n"))] + stream.map { .frame($0) })
                await reader.finish()
                await connection.close()
            }
        }
    }

    /// The peer sends 40 packets and closes. Every packet the reader returns is the one sent, in order: after the
    /// FIN SwiftNIO reads the rest by itself, possibly beside the reader, and the reader then either gets all of
    /// it through SwiftNIO (the end comes between packets: nil) or, when SwiftNIO's read and its own may have
    /// crossed, ends with `connectionClosed` before returning anything out of order.
    @Test(arguments: Waits.allCases, 0..<8) func aPeerThatClosesMidStreamNeverYieldsBytesOutOfOrder(waits: Waits, run: Int) async throws {
        let stream = Array(FrameDiversionTests.stream.prefix(40))
        var bytes: [UInt8] = []
        for frame in stream { try FrameEncoder.encode(frame, into: &bytes) }
        try await FrameDiversionTests.serve([]) { [bytes] connection in
            try await connection.writeRaw(bytes)  // returns once the kernel has every byte: none is lost at the close
            await connection.close()
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                var got: [Read] = []
                do {
                    #expect(try await Self.readUntilEndOfData(reader, into: &got) == false)
                    #expect(got.count == 41)
                } catch FrameDiversionError.connectionClosed {}
                #expect(got.first == .frame(.text("3000 OK data\n")))
                #expect(Array(got.dropFirst()) == Array(Self.expected(stream).prefix(max(0, got.count - 1))))
                await reader.finish()
                #expect(try await connection.read() == nil)
            }
        }
    }

    @Test(arguments: Waits.allCases) func aPeerThatClosesInsideAPacketIsAnError(waits: Waits) async throws {
        // A header announcing 70,000 bytes, then 10 of them and the end.
        try await FrameDiversionTests.serve([]) { connection in
            try await connection.writeRaw([0, 1, 0x11, 0x70] + [UInt8](repeating: 7, count: 10))
            await connection.close()
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                #expect(try await reader.frame(after: #require(try await reader.nextHeader())) == .text("3000 OK data\n"))
                await #expect(throws: FrameDiversionError.connectionClosed) { try await Self.readUntilEndOfData(reader) }
                await reader.finish()
            }
        }
    }

    @Test(arguments: Waits.allCases) func aHeaderAnnouncingMoreThanTheLimitIsAFramingError(waits: Waits) async throws {
        try await FrameDiversionTests.serve([]) { connection in
            try await connection.writeRaw([0x00, 0x7F, 0xFF, 0xFF])
            _ = try? await connection.read()
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                _ = try await reader.frame(after: #require(try await reader.nextHeader()))
                await #expect(throws: WireError.self) { try await reader.nextHeader() }
                await reader.finish()
                await connection.close()
            }
        }
    }

    /// The peer sends a stream in five parts, each only once the reader has taken the part before, so the reader
    /// finds the socket empty at the boundaries. On a `DirectReadThread` it waits there, in `poll` (SwiftNIO waits for
    /// it at most once: for a socket read that was outstanding when direct reading began); without one, on the
    /// event loop. Either way every packet comes in order.
    @Test(arguments: Waits.allCases) func aReaderWaitsOnItsThreadWhenItHasOne(waits: Waits) async throws {
        let parts = stride(from: 0, to: 100, by: 20).map { Array(FrameDiversionTests.stream[$0..<($0 + 20)]) }
        let (taken, takenPart) = AsyncStream.makeStream(of: Int.self)
        try await FrameDiversionTests.serve([]) { connection in
            var signals = taken.makeAsyncIterator()
            for (index, part) in parts.enumerated() {
                if index > 0 { _ = await signals.next() }
                try await connection.write(contentsOf: part + (index == parts.count - 1 ? [.signal(.endOfData)] : []))
            }
            _ = try? await connection.read()
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                #expect(try await Self.readPacket(reader) == .frame(.text("3000 OK data\n")))
                var got: [Read] = []
                for (index, part) in parts.enumerated() {
                    for _ in part { if let read = try await Self.readPacket(reader) { got.append(read) } }
                    takenPart.yield(index)
                }
                #expect(try await Self.readPacket(reader) == .frame(.signal(.endOfData)))
                #expect(got == Self.expected(parts.flatMap { $0 }))
                switch waits {
                case .readThread:
                    #expect(reader.waitsOnThread >= 1 && reader.waitsOnLoop <= 1, "\(reader.waitsOnThread) \(reader.waitsOnLoop)")
                case .eventLoop:
                    #expect(reader.waitsOnThread == 0 && reader.waitsOnLoop >= 1, "\(reader.waitsOnThread) \(reader.waitsOnLoop)")
                }
                await reader.finish()
                await connection.close()
            }
        }
    }

    /// A reader waiting for a peer that sends nothing ends (nil) when the connection is closed from elsewhere: on
    /// its thread, the close's `shutdown` ends its `poll`.
    @Test(arguments: Waits.allCases) func closingTheConnectionEndsAReaderThatWaitsForThePeer(waits: Waits) async throws {
        try await FrameDiversionTests.serve([]) { connection in
            _ = try? await connection.read()  // sends nothing more until the other side closes
        } _: { port in
            try await Self.readingDirectly(port, waits) { (connection, reader) async throws in
                _ = try await reader.frame(after: #require(try await reader.nextHeader()))
                let close = connection.closer
                async let waiting = reader.nextHeader()
                await Task.detached { close() }.value  // from another thread than the reader's
                #expect(try await waiting == nil)
                await reader.finish()
            }
        }
    }
}

extension BsockConnection {
    /// Test only: bytes straight onto the socket, below the frame codec (a malformed stream).
    func writeRaw(_ bytes: [UInt8]) async throws {
        try await channel.pipeline.context(handlerType: FrameDecodingHandler.self).flatMap { context in
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return context.writeAndFlush(NIOAny(buffer))
        }.get()
    }
}
