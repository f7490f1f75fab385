// The hot paths of capstan-sd's data path, counted in instructions and allocations (repeatable on a shared,
// noisy machine, unlike wall-clock time). scripts/bench-micro compares them with the committed baselines.
import BaculaVolume
import BaculaWire
import Benchmark
import Foundation
import StorageDaemon
import StorageProtocol
import TapeDevices

/// A drive that accepts every block and keeps none: the hand-off is measured, not a disk.
final class NullDrive: TapeDrive {
    private var block = 0
    func writeBlock(_ block: UnsafeRawBufferPointer) throws { self.block += 1 }
    func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead { .endOfData }
    func writeFilemarks(_ count: Int) throws { block = 0 }
    func spaceFiles(_ count: Int) throws { throw TapeError.beginningOfTape }
    func spaceRecords(_ count: Int) throws { throw TapeError.beginningOfTape }
    func rewind() throws { block = 0 }
    func seekEndOfData() throws {}
    func position() throws -> TapePosition { TapePosition(file: 0, block: block) }
    func status() throws -> TapeStatus {
        TapeStatus(
            position: TapePosition(file: 0, block: block), atBeginning: block == 0, atEndOfData: true,
            afterFilemark: false, writeProtected: false, online: true)
    }
}

let sessionTime: UInt32 = 1_800_000_000
let blockSize = 1 << 20

func volumeLabel() -> VolumeLabel {
    let now: Int64 = 1_800_000_000 * 1_000_000
    return VolumeLabel(
        labelTime: now, writeTime: now, volumeName: "BENCH1", poolName: "Default", mediaType: "LTO-VT",
        hostName: "capstan", labelProgram: "capstan-sd", programVersion: "Ver. 9.6.7 10 December 2020 ",
        programDate: "Build Feb  7 2023 20:51:52 ", blockSize: UInt32(blockSize))
}

func deviceJob(_ id: UInt32) -> DeviceJob {
    let label = SessionLabel(
        jobID: id, writeTime: 1_800_000_000 * 1_000_000, poolName: "Default", jobName: "Bench\(id)",
        clientName: "capstan-fd", job: "Bench\(id).2027-01-15_08.00.00_\(id)", fileSetName: "Set")
    return DeviceJob(sessionID: id, sessionTime: sessionTime, label: label)
}

/// Deterministic payload bytes.
func payload(_ count: Int, seed: UInt8 = 0x5A) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed } }

let benchmarks: @Sendable () -> Void = {
    // A hot path fails scripts/bench-micro when its median grows by more than 10% in instructions or allocations.
    // CAPSTAN_BENCH_ITERATIONS=N runs exactly N iterations after one warm-up (for scripts/bench-micro's callgrind
    // instruction counts, where a time limit would cut the slowed-down runs short).
    let fixed = ProcessInfo.processInfo.environment["CAPSTAN_BENCH_ITERATIONS"].flatMap { Int($0) }
    let tenPercent = BenchmarkThresholds(relative: [.p50: 10.0])
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: fixed == nil ? .seconds(3) : .seconds(100_000),
        maxIterations: fixed ?? 50,
        thresholds: [.instructions: tenPercent, .mallocCountTotal: tenPercent])

    // MARK: record parse (FD → SD frames: a record header line, then the data frames of the record)
    let smallData = payload(4096)
    Benchmark("Record parse: 1000 records of 4 KiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = RecordStreamParser(sessionID: 1, sessionTime: sessionTime)
            for index in 1...1000 {
                _ = try parser.receive(.payload(Array("\(index) 1 0".utf8)))
                blackHole(try parser.receive(.payload(smallData)))
                blackHole(try parser.receive(.signal(.endOfData)))
            }
        }
    }

    // MARK: block assembly (records into 1 MiB blocks, CRC at each block's end)
    Benchmark("Block assembly: 1000 records of 4 KiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var writer = BlockWriter(blockSize: blockSize, padding: .multiple(1024))
            writer.setSession(id: 1, time: sessionTime) { _ in }
            var blocks = 0
            for index in 1...1000 {
                try writer.append(fileIndex: Int32(index), stream: StreamType.fileData, data: smallData) { _ in blocks += 1 }
            }
            writer.flush { _ in blocks += 1 }
            blackHole(blocks)
        }
    }
    let bigData = payload(65_536)
    Benchmark("Block assembly: 64 records of 64 KiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var writer = BlockWriter(blockSize: blockSize, padding: .multiple(1024))
            writer.setSession(id: 1, time: sessionTime) { _ in }
            var blocks = 0
            for index in 1...64 {
                try writer.append(fileIndex: Int32(index), stream: StreamType.fileData, data: bigData) { _ in blocks += 1 }
            }
            writer.flush { _ in blocks += 1 }
            blackHole(blocks)
        }
    }

    // MARK: CRC32 of a 1 MiB block
    let block = payload(blockSize)
    Benchmark("CRC32: 1 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(block.withUnsafeBytes { BlockChecksum.crc32($0) })
        }
    }

    // MARK: spool write and read back (16 blocks of 1 MiB through SpoolIO, the despooler's pread; O_DIRECT from
    // a page-aligned buffer, as the spooler writes from the block writer's buffer)
    Benchmark("Spool write+read: 16 blocks of 1 MiB") { benchmark in
        let path = NSTemporaryDirectory() + "/capstan-bench-\(getpid()).spool"
        let io = SpoolIO.system
        let fd = try io.create(path)
        defer { io.remove(fd, path) }
        let back = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { back.deallocate() }
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { out.deallocate() }
        block.withUnsafeBytes { out.copyMemory(from: $0) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for slot in 0..<16 {
                try io.write(fd, UnsafeRawBufferPointer(out), Int64(slot * blockSize), path)
            }
            for slot in 0..<16 {
                blackHole(try io.read(fd, back, Int64(slot * blockSize), path))
            }
        }
        benchmark.stopMeasurement()
    }

    // MARK: drive-writer hand-off (a producer copies 16 finished 1 MiB blocks into pool buffers and submits
    // them; the writer thread takes them, writes them to a null drive and recycles the buffers)
    Benchmark("Drive writer hand-off: 16 blocks of 1 MiB") { benchmark in
        let job = deviceJob(1)
        var blocks: [[UInt8]] = []
        var assembler = BlockWriter(blockSize: blockSize, padding: .multiple(1024))
        assembler.setSession(id: 1, time: sessionTime) { _ in }
        var sos = job.label
        sos.totals = nil
        try assembler.append(
            fileIndex: LabelType.startOfSession.rawValue, stream: 1, data: sos.encoded(), unsplittable: true
        ) { blocks.append(Array($0)) }
        var file: Int32 = 1
        while blocks.count < 16 {
            try assembler.append(fileIndex: file, stream: StreamType.fileData, data: bigData) { blocks.append(Array($0)) }
            file += 1
        }
        let writer = DriveWriter(
            configuration: DriveWriter.Configuration(blockSize: blockSize, queueBlocks: 8),
            firstVolume: VolumeMount(drive: NullDrive(), label: volumeLabel(), medium: .relabel),
            owner: DriveWriter.Owner(nextVolume: { _ in throw CancellationError() }))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            writer.submit([.begin(job)])
            for (n, block) in blocks.prefix(16).enumerated() {
                let buffer = writer.takeBuffer()
                block.withUnsafeBytes { buffer.storage.copyMemory(from: $0) }
                buffer.count = block.count
                var items: [DriveItem] = [.block(job.session, buffer)]
                if n == 15 { items.append(.end(job.session, JobTotals(files: 1, bytes: 1))) }
                writer.submit(items)
            }
            blackHole(try await writer.outcome(of: job.session))
        }
        benchmark.stopMeasurement()
        _ = try await writer.close()
    }

    // MARK: the small-file path of a job: 1000 records of 4 KiB into a JobSpooler (blocks, spool slots or the
    // drive writer's pool), spooled and direct, onto a null drive
    for spooled in [true, false] {
        Benchmark("Job append (\(spooled ? "spooled" : "direct")): 1000 records of 4 KiB") { benchmark in
            let directory = NSTemporaryDirectory() + "/capstan-bench-\(getpid())-\(spooled)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = try DeviceDataPath(
                spool: SpoolConfiguration(
                    directory: directory, storageName: "bench-sd", deviceName: "Null", maximumSpoolSize: 64 << 20,
                    maximumJobSpoolSize: 64 << 20),
                firstVolume: VolumeMount(drive: NullDrive(), label: volumeLabel(), medium: .relabel),
                owner: DriveWriter.Owner(nextVolume: { _ in throw CancellationError() }))
            var id: UInt32 = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                id += 1
                let job = spooled ? try await path.openJob(deviceJob(id)) : try await path.openDirectJob(deviceJob(id))
                for index in 1...1000 {
                    try await job.append(fileIndex: Int32(index), stream: StreamType.fileData, data: smallData)
                }
                blackHole(try await job.commit())
            }
            benchmark.stopMeasurement()
            _ = try await path.close()
        }
    }
}
