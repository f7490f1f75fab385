import BaculaVolume

/// Volume blocks and records: the input read as a file volume (one byte stream) and as a tape (records of sizes the
/// first byte picks), with and without checksum verification, and every record's payload decoded as what its
/// FileIndex and stream say it is: volume and session labels, attributes, file data (plain, sparse, GZIP, LZO).
enum VolumeFuzz {
    static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let body = Array(input.dropFirst())
        for verify in [false, true] {
            var disk = VolumeReader(source: InMemoryFileVolume(body), initialBufferSize: 1024)
            disk.verifyChecksums = verify
            drain(&disk)
            var tape = VolumeReader(source: MemoryTape(body, recordSize: Int(first) * 64 + 64), initialBufferSize: 1024)
            tape.verifyChecksums = verify
            drain(&tape)
        }
        _ = try? VolumeLabel(decoding: body)
        _ = try? SessionLabel(decoding: body, isEnd: false)
        _ = try? FileAttributes(decoding: body)
    }

    static func drain<Source: BlockSource>(_ reader: inout VolumeReader<Source>) {
        var events = 0
        while events < 100_000, let event = try? reader.next() {
            events += 1
            guard case .record(let record) = event else { continue }
            decode(record)
        }
    }

    static func decode(_ record: Record) {
        if record.fileIndex < 0 {
            _ = try? VolumeLabel(decoding: record.data)
            _ = try? SessionLabel(decoding: record.data, isEnd: record.fileIndex == -4)
            return
        }
        switch record.streamType {
        case StreamType.unixAttributes, StreamType.unixAttributesEx: _ = try? FileAttributes(decoding: record.data)
        default: _ = try? FileData.decode(stream: record.stream, payload: record.data)
        }
    }
}

/// A tape held in memory: the input cut into records of one size, a filemark after every eighth.
struct MemoryTape: BlockSource {
    var records: [[UInt8]?] = []
    var index = 0
    var file: UInt32 = 0
    var block: UInt32 = 0

    init(_ bytes: [UInt8], recordSize: Int) {
        var start = 0
        while start < bytes.count {
            records.append(Array(bytes[start..<min(bytes.count, start + recordSize)]))
            if records.count % 9 == 8 { records.append(nil) }
            start += recordSize
        }
    }

    var isByteStream: Bool { false }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        guard index < records.count else { return .endOfData }
        guard let record = records[index] else {
            index += 1
            file += 1
            block = 0
            return .filemark
        }
        guard record.count <= buffer.count else { return .bufferTooSmall(needed: record.count) }
        record.withUnsafeBytes { buffer.copyMemory(from: $0) }
        index += 1
        defer { block += 1 }
        return .data(count: record.count, address: .tape(file: file, block: block))
    }

    mutating func advance(by count: Int) throws {}

    mutating func seek(to address: VolumeAddress) throws -> Bool { false }
}
