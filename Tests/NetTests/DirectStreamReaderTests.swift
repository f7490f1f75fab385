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
            guard let header = try await reader.nextHeader() else { return false }
            if case .payload(let length, let flags) = header, flags.isEmpty, length >= inPlace {
                let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
                defer { memory.deallocate() }
                try await reader.read(into: memory)
                got.append(.received(Array(memory)))
                continue
            }
            let frame = try await reader.frame(after: header)
            got.append(.frame(frame))
            if frame.signal == .endOfData { return true }
        }
    }

    /// The frames as the reader should give them back.
    static func expected(_ frames: [Frame], inPlace: Int = 512) -> [Read] {
        frames.map { frame in
            if case .payload(let bytes) = frame, bytes.count >= inPlace { return .received(bytes) }
            return .frame(frame)
        }
    }

    @Test func everyPacketComesInOrderAndTheFramesAfterTheStreamComeFromRead() async throws {
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
            try await FrameDiversionTests.connect(port) { connection in
                let reader = try #require(await connection.readDirectly())
                try await connection.write(text: "read data")
                let got = try #require(try await Self.readUntilEndOfData(reader))
                #expect(got.first == .frame(.text("3000 OK data\n")))
                #expect(Array(got.dropFirst()) == Self.expected(stream))
                await reader.finish()
                #expect(try await connection.read() == .text("3000 OK close\n"))
                try await connection.write(text: "bye")
            }
        }
    }

    @Test func compressedPacketsAreDecompressed() async throws {
        let text = [UInt8](String(repeating: "compressible record data ", count: 400).utf8)
        let stream: [Frame] = [.payload(text), .payload(Array(text.prefix(3000))), .signal(.endOfData)]
        try await FrameDiversionTests.serve([]) { connection in
            connection.compressOutgoing = true
            try await connection.write(contentsOf: stream)
            _ = try await connection.read()
        } _: { port in
            try await FrameDiversionTests.connect(port) { connection in
                let reader = try #require(await connection.readDirectly())
                try await connection.write(text: "read data")
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
    @Test(arguments: 0..<8) func aPeerThatClosesMidStreamNeverYieldsBytesOutOfOrder(run: Int) async throws {
        let stream = Array(FrameDiversionTests.stream.prefix(40))
        var bytes: [UInt8] = []
        for frame in stream { try FrameEncoder.encode(frame, into: &bytes) }
        try await FrameDiversionTests.serve([]) { [bytes] connection in
            try await connection.writeRaw(bytes)  // returns once the kernel has every byte: none is lost at the close
            await connection.close()
        } _: { port in
            try await FrameDiversionTests.connect(port) { connection in
                let reader = try #require(await connection.readDirectly())
                try await connection.write(text: "read data")
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

    @Test func aPeerThatClosesInsideAPacketIsAnError() async throws {
        // A header announcing 70,000 bytes, then 10 of them and the end.
        try await FrameDiversionTests.serve([]) { connection in
            try await connection.writeRaw([0, 1, 0x11, 0x70] + [UInt8](repeating: 7, count: 10))
            await connection.close()
        } _: { port in
            try await FrameDiversionTests.connect(port) { connection in
                let reader = try #require(await connection.readDirectly())
                try await connection.write(text: "read data")
                #expect(try await reader.frame(after: #require(try await reader.nextHeader())) == .text("3000 OK data\n"))
                await #expect(throws: FrameDiversionError.connectionClosed) { try await Self.readUntilEndOfData(reader) }
                await reader.finish()
            }
        }
    }

    @Test func aHeaderAnnouncingMoreThanTheLimitIsAFramingError() async throws {
        try await FrameDiversionTests.serve([]) { connection in
            try await connection.writeRaw([0x00, 0x7F, 0xFF, 0xFF])
            _ = try? await connection.read()
        } _: { port in
            try await FrameDiversionTests.connect(port) { connection in
                let reader = try #require(await connection.readDirectly())
                try await connection.write(text: "read data")
                _ = try await reader.frame(after: #require(try await reader.nextHeader()))
                await #expect(throws: WireError.self) { try await reader.nextHeader() }
                await reader.finish()
                await connection.close()
            }
        }
    }

    @Test func closingTheConnectionEndsAReaderThatWaitsForThePeer() async throws {
        try await FrameDiversionTests.serve([]) { connection in
            _ = try? await connection.read()  // sends nothing more until the other side closes
        } _: { port in
            try await FrameDiversionTests.connect(port) { connection in
                let reader = try #require(await connection.readDirectly())
                try await connection.write(text: "read data")
                _ = try await reader.frame(after: #require(try await reader.nextHeader()))
                let close = connection.closer
                async let waiting = reader.nextHeader()
                close()
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
