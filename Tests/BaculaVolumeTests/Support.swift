import BaculaVolume
import CapstanTestSupport
import Foundation

/// The Bacula 9.6.7 volume fixtures (`Tests/Fixtures/bacula-9.6.7`).
enum Shared {
    /// The bytes of a fixture; throws `Fixtures.Missing` naming the path when it is absent.
    static func fixture(_ name: String) throws -> [UInt8] { try Fixtures.bytes("bacula-9.6.7/" + name) }
}


/// An in-memory byte-stream medium (a file volume held in memory).
typealias MemoryVolume = InMemoryFileVolume

/// An in-memory tape: one array per record, nil for a filemark.
struct MemoryTape: BlockSource {
    var records: [[UInt8]?]
    var index = 0
    var file: UInt32 = 0
    var block: UInt32 = 0

    var isByteStream: Bool { false }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        guard index < records.count else { return .endOfData }
        guard let r = records[index] else {
            index += 1
            file += 1
            block = 0
            return .filemark
        }
        guard r.count <= buffer.count else { return .bufferTooSmall(needed: nil) }
        r.withUnsafeBytes { buffer.copyMemory(from: $0) }
        index += 1
        defer { block += 1 }
        return .data(count: r.count, address: .tape(file: file, block: block))
    }

    mutating func advance(by count: Int) throws {}
    mutating func seek(to address: VolumeAddress) throws -> Bool { false }
}

/// Every event of a volume.
func readAll<S: BlockSource>(_ source: S, bufferSize: Int = 64512) throws -> [VolumeEvent] {
    var reader = VolumeReader(source: source, initialBufferSize: bufferSize)
    defer { reader.close() }
    var events: [VolumeEvent] = []
    while let e = try reader.next() { events.append(e) }
    return events
}

extension [VolumeEvent] {
    var records: [Record] {
        compactMap {
            if case .record(let r) = $0 { return r }
            return nil
        }
    }
    var blocks: [(BlockHeader, VolumeAddress)] {
        compactMap {
            if case .block(let h, let a) = $0 { return (h, a) }
            return nil
        }
    }
    var damage: [VolumeError] {
        compactMap {
            if case .damagedBlock(let e) = $0 { return e }
            return nil
        }
    }
}

/// Collects a volume writer's output into a file-volume byte array (or tape records).
final class Collector {
    var bytes: [UInt8] = []
    var tape: [[UInt8]?] = []
    func take(_ output: VolumeOutput) {
        switch output {
        case .block(let b):
            bytes.append(contentsOf: b)
            tape.append(Array(b))
        case .filemark:
            tape.append(nil)
        }
    }
}
