// Pushes N bytes of client records through the Storage daemon's data path — block builder, spool ring on disk,
// despooler thread, drive writer thread — into a virtual tape (or a null drive) and reports the throughput.
//
//   bench-spool [--bytes N] [--block-size N] [--record-size N] [--spool-dir DIR] [--spool-size N]
//               [--job-spool-size N] [--queue N] [--jobs N] [--tape PATH | --file PATH | --null] [--keep]
//               [--rate BYTES_PER_SECOND [--drive-buffer N]] [--direct]
//
// --file PATH writes a Bacula file volume (Device Type = File) through a FileVolumeDrive instead of a virtual tape;
// --direct runs the jobs unspooled (blocks straight to the drive writer's queue).
import BaculaVolume
import Foundation
import StorageDaemon
import TapeDevices

/// A drive that accepts everything and keeps nothing (measures the data path without the tape image's disk I/O).
final class NullDrive: TapeDrive {
    private var file = 0
    private var block = 0
    func writeBlock(_ block: UnsafeRawBufferPointer) throws { self.block += 1 }
    func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead { .endOfData }
    func writeFilemarks(_ count: Int) throws {
        file += count
        block = 0
    }
    func spaceFiles(_ count: Int) throws { throw TapeError.beginningOfTape }
    func spaceRecords(_ count: Int) throws { throw TapeError.beginningOfTape }
    func rewind() throws {
        file = 0
        block = 0
    }
    func seekEndOfData() throws {}
    func position() throws -> TapePosition { TapePosition(file: file, block: block) }
    func status() throws -> TapeStatus {
        TapeStatus(
            position: TapePosition(file: file, block: block), atBeginning: file == 0 && block == 0, atEndOfData: true,
            afterFilemark: false, writeProtected: false, online: true)
    }
}

/// One client record's payload, allocated once and only read.
final class Record: @unchecked Sendable {
    let storage: UnsafeMutableRawBufferPointer
    init(size: Int) {
        storage = .allocate(byteCount: size, alignment: 16)
        for i in 0..<size { storage[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
    }
    deinit { storage.deallocate() }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage) }
}

struct Options {
    var bytes: Int64 = 2 << 30
    var blockSize = 1 << 20
    var recordSize = 65_536
    var spoolDirectory = "/tmp/capstan-bench-spool"
    var spoolSize: Int64 = 256 << 20
    var jobSpoolSize: Int64 = 256 << 20
    var queue = 8
    var jobs = 1
    var tape: String? = "/tmp/capstan-bench-spool.vtape"
    /// Write a file volume here instead of a virtual tape.
    var file: String?
    /// Jobs go straight to the drive writer, without spooling.
    var direct = false
    var keep = false
    /// Rated speed of the virtual tape in bytes/s (nil: as fast as the disk) and its buffer.
    var rate: Int?
    var driveBuffer = 256 << 20

    init(_ arguments: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw BenchError("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        func number() throws -> Int64 {
            let v = try value()
            guard let n = Int64(v), n > 0 else { throw BenchError("not a positive number: \(v)") }
            return n
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--bytes": bytes = try number()
            case "--block-size": blockSize = Int(try number())
            case "--record-size": recordSize = Int(try number())
            case "--spool-dir": spoolDirectory = try value()
            case "--spool-size": spoolSize = try number()
            case "--job-spool-size": jobSpoolSize = try number()
            case "--queue": queue = Int(try number())
            case "--jobs": jobs = Int(try number())
            case "--tape": tape = try value()
            case "--null": tape = nil
            case "--file":
                file = try value()
                tape = nil
            case "--direct": direct = true
            case "--keep": keep = true
            case "--rate": rate = Int(try number())
            case "--drive-buffer": driveBuffer = Int(try number())
            default: throw BenchError("unknown option \(arguments[i])")
            }
            i += 1
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

func label(_ name: String, blockSize: Int) -> VolumeLabel {
    let now = Int64(Date().timeIntervalSince1970 * 1e6)
    return VolumeLabel(
        labelTime: now, writeTime: now, volumeName: name, poolName: "Bench", mediaType: "LTO-VT", hostName: "capstan",
        labelProgram: "capstan-sd", programVersion: "Ver. 9.6.7 10 December 2020 ",
        programDate: "Build Feb  7 2023 20:51:52 ", blockSize: UInt32(blockSize))
}

func job(_ id: UInt32) -> DeviceJob {
    let l = SessionLabel(
        jobID: id, writeTime: Int64(Date().timeIntervalSince1970 * 1e6), poolName: "Bench", jobName: "Bench",
        clientName: "bench-fd", job: "Bench.2027-01-01_00.00.00_\(id)", fileSetName: "Bench")
    return DeviceJob(sessionID: id, sessionTime: UInt32(Date().timeIntervalSince1970), label: l)
}

@main
struct SpoolBenchmark {
    static func main() async {
        do {
            try await run(Options(Array(CommandLine.arguments.dropFirst())))
        } catch {
            FileHandle.standardError.write("bench-spool: \(error)\n".data(using: .utf8) ?? Data())
            exit(1)
        }
    }

    static func run(_ o: Options) async throws {
        try FileManager.default.createDirectory(atPath: o.spoolDirectory, withIntermediateDirectories: true)
        let drive: any TapeDrive
        var tape: VirtualTape?
        var fileVolume: FileVolumeDrive?
        if let path = o.file {
            try? FileManager.default.removeItem(atPath: path)
            let f = try FileVolumeDrive(path: path)
            fileVolume = f
            drive = f
        } else if let path = o.tape {
            try? FileManager.default.removeItem(atPath: path)
            let t = try VirtualTape(
                path: path, writable: true,
                ratedSpeed: o.rate.map { VirtualTape.RatedSpeed(bytesPerSecond: $0, bufferBytes: o.driveBuffer) })
            tape = t
            drive = t
        } else {
            drive = NullDrive()
        }
        let path = try DeviceDataPath(
            spool: SpoolConfiguration(
                directory: o.spoolDirectory, storageName: "bench-sd", deviceName: "BenchDrive",
                maximumSpoolSize: o.spoolSize, maximumJobSpoolSize: o.jobSpoolSize, blockSize: o.blockSize),
            drive: DriveWriter.Configuration(
                blockSize: o.blockSize, queueBlocks: o.queue, medium: o.file == nil ? nil : .file),
            firstVolume: VolumeMount(drive: drive, label: label("BENCH1", blockSize: o.blockSize), medium: .relabel),
            owner: DriveWriter.Owner(nextVolume: { _ in throw BenchError("the benchmark tape has no capacity limit") }))
        let record = Record(size: o.recordSize)
        let perJob = o.bytes / Int64(o.jobs)
        let recordsPerFile = 64
        let cpu0 = cpuSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for j in 0..<o.jobs {
                group.addTask {
                    let spooler = o.direct
                        ? try await path.openDirectJob(job(UInt32(j + 1))) : try await path.openJob(job(UInt32(j + 1)))
                    var sent: Int64 = 0
                    var n = 0
                    while sent < perJob {
                        let fileIndex = Int32(n / recordsPerFile + 1)
                        try await spooler.append(fileIndex: fileIndex, stream: StreamType.fileData, data: record.bytes)
                        sent += Int64(record.bytes.count)
                        n += 1
                    }
                    _ = try await spooler.commit()
                }
            }
            try await group.waitForAll()
        }
        let stats = try await path.close()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = cpuSeconds() - cpu0
        let stops = tape?.mediumStops ?? 0
        try tape?.close()
        try fileVolume?.close()
        let mb = Double(o.bytes) / 1e6
        print(
            """
            bench-spool: \(o.jobs) job(s), \(o.bytes) bytes of \(o.recordSize)-byte records in \(o.blockSize)-byte \
            blocks, \(o.direct ? "direct (unspooled)" : "spool \(o.spoolSize) bytes (job \(o.jobSpoolSize)) in \(o.spoolDirectory)"), \
            queue \(o.queue), drive \(o.file.map { "file volume \($0)" } ?? o.tape ?? "null")
            elapsed \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", mb / seconds)) MB/s \
            (\(String(format: "%.1f", Double(o.bytes) / 1_048_576 / seconds)) MiB/s), CPU \
            \(String(format: "%.2f", cpu)) s (\(String(format: "%.0f", cpu / seconds * 100)) % of one core)
            drive: \(o.rate.map { "rated \($0 / 1_000_000) MB/s, " } ?? "")\(stats.blocks) blocks, \(stats.bytes) bytes, \(stats.filemarks) filemarks, \
            \(stats.underruns) underruns, average \(String(format: "%.1f", stats.averageRate / 1e6)) MB/s, \
            medium stops \(stops)
            """)
        if let t = o.tape ?? o.file, !o.keep { try? FileManager.default.removeItem(atPath: t) }
    }
}
