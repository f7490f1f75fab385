import CapstanTestSupport
import BaculaVolume
import Foundation
import StorageDaemon
import TapeDevices

/// A volume label for a `Media Type = File` device.
func fileVolumeLabel(_ name: String) -> VolumeLabel {
    var label = volumeLabel(name)
    label.mediaType = "File"
    return label
}

/// A set of file volumes in one directory (the Archive Device) handed to the drive writer one after the other.
final class FileVolumeLibrary: @unchecked Sendable {
    private let lock = NSLock()
    private var drives: [FileVolumeDrive] = []
    let directory: String
    private(set) var endOfMediumReports: [EndOfMedium] = []
    private(set) var segments: [JobMediaSegment] = []

    init(scratch: Scratch) {
        directory = scratch.directory("volumes")
    }

    func name(_ n: Int) -> String { "FILE\(n)" }
    func path(_ n: Int) -> String { "\(directory)/\(name(n))" }

    /// A fresh (relabelled) volume `n`, or volume `n` as it is for appending.
    func mount(_ n: Int, medium: VolumeMount.Medium = .relabel) throws -> VolumeMount {
        let drive = try FileVolumeDrive(path: path(n))
        lock.withLock { drives.append(drive) }
        return VolumeMount(drive: drive, label: fileVolumeLabel(name(n)), medium: medium)
    }

    var owner: DriveWriter.Owner {
        DriveWriter.Owner(
            nextVolume: { [self] report in
                let n = try lock.withLock { () -> Int in
                    endOfMediumReports.append(report)
                    try drives.last?.close()
                    return drives.count + 1
                }
                return try mount(n)
            },
            jobMedia: { [self] segment in lock.withLock { segments.append(segment) } })
    }

    var mounted: Int { lock.withLock { drives.count } }
    var allSegments: [JobMediaSegment] { lock.withLock { segments } }

    func closeAll() throws { try lock.withLock { for d in drives { try d.close() } } }

    func size(_ n: Int) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path(n)))?[.size] as? NSNumber)?.int64Value ?? -1
    }
}

/// Several file volumes read as one set: at the end of one, the next one's label block is skipped (as a mount
/// would), so records split across the boundary are joined. Addresses are byte offsets within each file.
struct FileVolumeChain: BlockSource {
    var sources: [FileVolumeSource]
    var index = 0

    init(paths: [String]) throws {
        sources = try paths.map { try FileVolumeSource(path: $0) }
    }

    var isByteStream: Bool { true }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        while true {
            let r = try sources[index].read(into: buffer)
            if case .endOfData = r, index + 1 < sources.count {
                index += 1
                // skip the continuation volume's label block
                if case .data(let count, _) = try sources[index].read(into: buffer), count >= 8,
                    let length = BlockHeader.peekLength(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                {
                    try sources[index].advance(by: Int(length))
                }
                continue
            }
            return r
        }
    }

    mutating func advance(by count: Int) throws { try sources[index].advance(by: count) }
    mutating func seek(to address: VolumeAddress) throws -> Bool { false }

    func close() { for s in sources { s.close() } }
}

/// Reads a set of file volumes with BaculaVolume's reader.
func readBackFiles(_ paths: [String]) throws -> ReadBack {
    var reader = VolumeReader(source: try FileVolumeChain(paths: paths), initialBufferSize: 1 << 20)
    defer {
        reader.source.close()
        reader.close()
    }
    return try collect(&reader)
}

/// Runs a direct (unspooled) job: open, append every record, commit.
func runDirectJob(_ path: DeviceDataPath, _ plan: JobPlan) async throws -> JobOutcome {
    let job = try await path.openDirectJob(deviceJob(plan.jobID))
    for n in 0..<plan.count {
        let item = plan.item(n)
        try await job.append(fileIndex: item.fileIndex, stream: item.stream, data: item.data)
    }
    return try await job.commit()
}

/// The real `bls` / `bextract` against file volumes in `directory` (a `Device Type = File` device).
struct RealBaculaFileDevice {
    let config: String

    init(directory: String, scratch: Scratch) throws {
        let work = scratch.directory("bacula-work")
        let text = """
            Storage { Name = capstan-file-test-sd
              WorkingDirectory = "\(work)"
              Pid Directory = "\(work)" }
            Device { Name = FileDev; Media Type = File; Archive Device = \(directory)
              Device Type = File; Random Access = yes; RemovableMedia = no; LabelMedia = no
              Maximum Block Size = 1048576
            }
            Messages { Name = Standard; stdout = all }
            """
        config = scratch.path("bacula-file-sd.conf")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// `bls -j` over one or more volumes (`A|B`).
    func jobs(_ volumes: [String]) throws -> (status: Int32, output: String) {
        try Command.runMerged(["/usr/sbin/bls", "-c", config, "-V", volumes.joined(separator: "|"), "-j", "FileDev"])
    }

    func extract(_ volumes: [String], to directory: String) throws -> (status: Int32, output: String) {
        try Command.runMerged(["/usr/sbin/bextract", "-c", config, "-V", volumes.joined(separator: "|"), "FileDev", directory])
    }
}

/// Checks the physical layout of a file volume read back: blocks back to back from offset 0, each exactly its
/// header's length, nothing after the last one.
func blocksAreBackToBack(_ back: ReadBack, fileSize: Int64) -> Bool {
    var next: UInt64 = 0
    for (header, address) in back.blocks {
        guard address.isByteOffset, address.rawValue == next else { return false }
        next += UInt64(header.length)
    }
    return next == UInt64(fileSize)
}

/// A drive that takes `delay` per block written (a slow medium), so the drive writer is the bottleneck and every
/// producer is waiting for pool buffers: then the order in which they get them decides the order on the volume.
/// With a `gate`, writes also wait for it.
final class SlowDrive: TapeDrive {
    let drive: any TapeDrive
    let delay: UInt32
    let gate: DriveGate?

    init(_ drive: any TapeDrive, microseconds: UInt32, gate: DriveGate? = nil) {
        self.drive = drive
        delay = microseconds
        self.gate = gate
    }

    func writeBlock(_ block: UnsafeRawBufferPointer) throws {
        gate?.pass()
        usleep(delay)
        try drive.writeBlock(block)
    }
    func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead { try drive.readBlock(into: buffer) }
    func writeFilemarks(_ count: Int) throws { try drive.writeFilemarks(count) }
    func spaceFiles(_ count: Int) throws { try drive.spaceFiles(count) }
    func spaceRecords(_ count: Int) throws { try drive.spaceRecords(count) }
    func rewind() throws { try drive.rewind() }
    func seekEndOfData() throws { try drive.seekEndOfData() }
    func position() throws -> TapePosition { try drive.position() }
    func status() throws -> TapeStatus { try drive.status() }
}

/// Lets the first `passing` block writes through, then holds the writer thread in the next one until the test calls
/// `open()`: while it holds, every producer ends up waiting for a pool buffer, in the order the test arranges.
final class DriveGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var passing: Int
    private var isOpen = false

    init(passing: Int) { self.passing = passing }

    /// Lets the held write and every later one through.
    func open() {
        condition.withLock {
            isOpen = true
            condition.broadcast()
        }
    }

    /// Returns at once for the first `passing` calls and after `open()`; blocks in between.
    func pass() {
        condition.withLock {
            if passing > 0 {
                passing -= 1
            } else {
                while !isOpen { condition.wait() }
            }
        }
    }
}

extension FileVolumeLibrary {
    /// Volume `n`, fresh, behind a drive that takes `microseconds` per block.
    func slowMount(_ n: Int, microseconds: UInt32) throws -> VolumeMount {
        var mount = try self.mount(n)
        mount.drive = SlowDrive(mount.drive, microseconds: microseconds)
        return mount
    }

    /// Volume `n`, fresh, behind a slow drive whose writes after the first `passing` wait for the gate.
    func gatedMount(_ n: Int, microseconds: UInt32, passing: Int) throws -> (VolumeMount, DriveGate) {
        var mount = try self.mount(n)
        let gate = DriveGate(passing: passing)
        mount.drive = SlowDrive(mount.drive, microseconds: microseconds, gate: gate)
        return (mount, gate)
    }
}
