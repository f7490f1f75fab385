import CapstanTestSupport
import BaculaWire
import Foundation
import Testing

/// Seeded, time-bounded property test (spec issue #3 §4): random and mutated byte streams (mutations of the captured
/// packets) go into the packet decoder, the LZ4 decoder, the hello/challenge/welcome parsers and the handshake
/// machine. Nothing may crash; failures are typed (the APIs throw typed errors); no output exceeds the limit.
@Suite struct WireFuzzTests {
    static let seed: UInt64 = 0x00CA_B57A_0003
    static let budget: Duration = .seconds(3)
    /// A small limit so that mutated lengths and LZ4 bombs hit it often.
    static let smallLimit = 4096

    struct Corpus {
        var streams: [[UInt8]] = []
        var payloads: [[UInt8]] = []
        var compressedPayloads: [[UInt8]] = []
    }

    static func corpus() throws -> Corpus {
        var corpus = Corpus()
        for capture in Capture.allCases {
            for connection in try capture.connections() {
                for stream in [connection.clientToServer, connection.serverToClient] {
                    corpus.streams.append(Array(stream.prefix(20_000)))
                    var decoder = PacketDecoder()
                    decoder.append(stream)
                    while let packet = try decoder.nextPacket() {
                        guard case .payload(let bytes, let flags, _) = packet.body, bytes.count < 2048 else { continue }
                        if flags.contains(.compressed) {
                            corpus.compressedPayloads.append(bytes)
                        } else {
                            corpus.payloads.append(bytes)
                        }
                    }
                }
            }
        }
        return corpus
    }

    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let position = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 7 {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << (rng.next() % 8))
            case 1 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
            case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
            case 3 where !bytes.isEmpty: bytes.remove(at: position)
            case 4:  // an interesting 32-bit value (lengths, flag bits, signals)
                let words: [UInt32] = [0x7FFF_FFFF, 0x4000_0000, 0x2000_0000, 0x000F_4241, 0xFFFF_FFFA, 0, 0x6000_0010]
                let word = words[Int(rng.next() % UInt64(words.count))]
                let value = withUnsafeBytes(of: word.bigEndian, Array.init)
                bytes.replaceSubrange(position..<min(bytes.count, position + 4), with: value)
            case 5 where !bytes.isEmpty:  // repeat a run of bytes
                let end = min(bytes.count, position + 1 + Int(rng.next() % 64))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                bytes = Array(bytes.prefix(position))
            }
        }
        return bytes
    }

    static func randomBytes(_ rng: inout SeededRandom, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    @Test func mutatedAndRandomInputsNeverCrashAndStayBounded() throws {
        let corpus = try Self.corpus()
        #expect(!corpus.compressedPayloads.isEmpty && !corpus.payloads.isEmpty)
        var rng = SeededRandom(seed: Self.seed)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: Self.budget)
        var iterations = 0
        var wireErrors = 0
        var lz4Errors = 0
        while clock.now < deadline {
            iterations += 1
            // 1. Packet decoder on a mutated (or random) stream, fed in random chunks.
            let source = corpus.streams[Int(rng.next() % UInt64(corpus.streams.count))]
            let stream = rng.next() % 8 == 0
                ? Self.randomBytes(&rng, count: Int(rng.next() % 512))
                : Self.mutate(Array(source.prefix(Int(rng.next() % 4096) + 8)), &rng)
            var decoder = PacketDecoder(limit: Self.smallLimit)
            var position = 0
            streaming: while position < stream.count {
                let size = min(stream.count - position, 1 + Int(rng.next() % 300))
                decoder.append(stream[position..<position + size])
                position += size
                #expect(decoder.bufferedByteCount <= position)
                do {
                    while let frame = try decoder.nextFrame() {
                        #expect((frame.payload?.count ?? 0) <= Self.smallLimit)
                        if let bytes = frame.payload { Self.exerciseParsers(bytes, &rng) }
                    }
                } catch {
                    wireErrors += 1
                    #expect(throws: error) { try decoder.nextFrame() }  // failure is sticky
                    break streaming
                }
            }
            // 2. LZ4 decoder on mutated compressed payloads and on random blocks.
            let block = rng.next() % 4 == 0
                ? Self.randomBytes(&rng, count: Int(rng.next() % 64))
                : Self.mutate(corpus.compressedPayloads[Int(rng.next() % UInt64(corpus.compressedPayloads.count))], &rng)
            do {
                let output = try LZ4Block.decompress(block, limit: Self.smallLimit)
                #expect(output.count <= Self.smallLimit)
            } catch {
                lz4Errors += 1
            }
            // 3. Parsers on mutated captured payloads.
            Self.exerciseParsers(
                Self.mutate(corpus.payloads[Int(rng.next() % UInt64(corpus.payloads.count))], &rng), &rng)
        }
        #expect(iterations > 100)
        #expect(wireErrors > 0 && lz4Errors > 0)  // the mutations do reach the error paths
    }

    static func exerciseParsers(_ bytes: [UInt8], _ rng: inout SeededRandom) {
        if let hello = try? ConsoleHello(parsing: bytes) { #expect(!hello.bytes.isEmpty) }
        if let hello = try? FileDaemonIncomingHello(parsing: bytes), case .director(let d) = hello {
            #expect((try? FileDaemonIncomingHello(parsing: d.bytes)) != nil)
        }
        if case .fileDaemon(let hello)? = try? StorageDaemonIncomingHello(parsing: bytes) {
            #expect(hello.jobName.utf8.count <= 127)
        }
        _ = WelcomeLine(parsing: bytes)
        _ = ChallengeLine(parsing: bytes)
        var handshake = Handshake(
            acceptorKey: .password("x"), challenge: Challenge(random: 1, time: 2, name: "f"), welcome: nil)
        _ = handshake.start()
        for _ in 0..<3 { _ = handshake.received(.payload(bytes)) }
        var connector = Handshake(connectorKey: .password("x"), challenge: Challenge(random: 1, time: 2, name: "f"), hello: [])
        _ = connector.start()
        _ = connector.received(.payload(bytes))
    }
}
