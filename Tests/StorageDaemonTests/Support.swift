import CapstanTestSupport
import BaculaVolume
import Foundation
import StorageDaemon
import Synchronization
import TapeDevices

/// Scratch directory for one test, removed by `cleanup()`.
struct Scratch {
    let url: URL
    init(_ name: String) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-spool-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func directory(_ name: String) -> String {
        let p = path(name)
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

let sessionTime: UInt32 = 1_800_000_000

func volumeLabel(_ name: String) -> VolumeLabel {
    let now: Int64 = 1_800_000_000 * 1_000_000
    return VolumeLabel(
        labelTime: now, writeTime: now, volumeName: name, poolName: "Default", mediaType: "LTO-VT", hostName: "capstan",
        labelProgram: "capstan-sd", programVersion: "Ver. 9.6.7 10 December 2020 ",
        programDate: "Build Feb  7 2023 20:51:52 ", blockSize: 1 << 20)
}

func deviceJob(_ id: UInt32, spoolSize: UInt64 = 0) -> DeviceJob {
    let label = SessionLabel(
        jobID: id, writeTime: 1_800_000_000 * 1_000_000, poolName: "Default", jobName: "SpoolJob\(id)",
        clientName: "capstan-fd", job: "SpoolJob\(id).2027-01-15_08.00.00_\(id)", fileSetName: "Set")
    return DeviceJob(sessionID: id, sessionTime: sessionTime, label: label, spoolSize: spoolSize)
}

/// The records a test job sends: per file one attributes record and `chunks` 64 KiB data records. Content is a
/// function of (job, file, chunk), so the reader's output can be compared record for record.
struct JobPlan: Sendable {
    var jobID: UInt32
    var files: Int
    var chunks: Int
    var chunkSize = 65_536

    struct Item: Equatable {
        var fileIndex: Int32
        var stream: Int32
        var data: [UInt8]
    }

    func item(_ n: Int) -> Item {
        let perFile = chunks + 1
        let file = Int32(n / perFile + 1)
        let k = n % perFile
        if k == 0 {
            return Item(fileIndex: file, stream: StreamType.unixAttributes, data: Array("attrs job \(jobID) file \(file)".utf8))
        }
        var data = [UInt8](repeating: UInt8(truncatingIfNeeded: Int(jobID) &* 31 &+ Int(file) &* 7 &+ k), count: chunkSize)
        withUnsafeBytes(of: (jobID, file, Int32(k)).0) { data.replaceSubrange(0..<4, with: $0) }
        data[4] = UInt8(truncatingIfNeeded: file)
        data[5] = UInt8(truncatingIfNeeded: file >> 8)
        data[6] = UInt8(truncatingIfNeeded: k)
        data[7] = UInt8(truncatingIfNeeded: k >> 8)
        return Item(fileIndex: file, stream: StreamType.fileData, data: data)
    }

    var count: Int { files * (chunks + 1) }
    var bytes: UInt64 { (0..<count).reduce(0) { $0 + UInt64(item($1).data.count) } }
}

/// Runs a job's producer: open, append every record, commit.
func runJob(
    _ path: DeviceDataPath, _ plan: JobPlan, spoolSize: UInt64 = 0, pause: (@Sendable (Int) async -> Void)? = nil
) async throws -> JobOutcome {
    let spooler = try await path.openJob(deviceJob(plan.jobID, spoolSize: spoolSize))
    for n in 0..<plan.count {
        if let pause { await pause(n) }
        let item = plan.item(n)
        try await spooler.append(fileIndex: item.fileIndex, stream: item.stream, data: item.data)
    }
    return try await spooler.commit()
}

/// A set of virtual tapes handed to the drive writer one after the other (the test's "Director + changer").
final class TapeLibrary: @unchecked Sendable {
    private let lock = NSLock()
    private var tapes: [VirtualTape] = []
    let scratch: Scratch
    let capacity: Int64?
    private(set) var endOfMediumReports: [EndOfMedium] = []
    private(set) var segments: [JobMediaSegment] = []

    /// Mount every tape behind `BackspaceOvershootingFakeDrive` (backward spacing as tgt does it).
    let overshootingBackspace: Bool

    init(scratch: Scratch, capacity: Int64? = nil, overshootingBackspace: Bool = false) {
        self.scratch = scratch
        self.capacity = capacity
        self.overshootingBackspace = overshootingBackspace
    }

    func path(_ n: Int) -> String { scratch.path("TAPE\(n).vtape") }
    func name(_ n: Int) -> String { "TAPE\(n)" }

    func mount(_ n: Int, ratedSpeed: VirtualTape.RatedSpeed? = nil) throws -> VolumeMount {
        try? FileManager.default.removeItem(atPath: path(n))
        let tape = try VirtualTape(path: path(n), writable: true, capacity: capacity, ratedSpeed: ratedSpeed)
        lock.withLock { tapes.append(tape) }
        let drive: any TapeDrive = overshootingBackspace ? BackspaceOvershootingFakeDrive(tape) : tape
        return VolumeMount(drive: drive, label: volumeLabel(name(n)), medium: .relabel)
    }

    var owner: DriveWriter.Owner {
        DriveWriter.Owner(
            nextVolume: { [self] report in
                let n = lock.withLock { () -> Int in
                    endOfMediumReports.append(report)
                    try? tapes.last?.close()
                    return tapes.count + 1
                }
                return try mount(n)
            },
            jobMedia: { [self] segment in lock.withLock { segments.append(segment) } })
    }

    var mounted: Int { lock.withLock { tapes.count } }

    func closeAll() throws { try lock.withLock { for t in tapes { try t.close() } } }
}

/// A virtual tape whose backward file spacing lands one record too far back, as tgt's does (seen in the VM tier:
/// WEOF, BSF 1, BSR 1 then reads the record before the last one). A fake: no real drive behaves like this on purpose.
final class BackspaceOvershootingFakeDrive: TapeDrive {
    let tape: VirtualTape
    init(_ tape: VirtualTape) { self.tape = tape }

    func writeBlock(_ block: UnsafeRawBufferPointer) throws { try tape.writeBlock(block) }
    func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead { try tape.readBlock(into: buffer) }
    func writeFilemarks(_ count: Int) throws { try tape.writeFilemarks(count) }
    func spaceFiles(_ count: Int) throws {
        try tape.spaceFiles(count)
        if count < 0 { try tape.spaceRecords(-1) }
    }
    func spaceRecords(_ count: Int) throws { try tape.spaceRecords(count) }
    func rewind() throws { try tape.rewind() }
    func seekEndOfData() throws { try tape.seekEndOfData() }
    func position() throws -> TapePosition { try tape.position() }
    func status() throws -> TapeStatus { try tape.status() }
    func close() throws { try tape.close() }
}

/// Reads several vtape images as one volume set: at the end of one, the next one's label block is skipped (as a
/// mount would), so records split across the boundary are joined.
struct VolumeChain: BlockSource {
    var tapes: [VirtualTape]
    var index = 0
    var labels: [VolumeLabel] = []

    init(paths: [String]) throws {
        tapes = try paths.map { try VirtualTape(path: $0, writable: false) }
    }

    var isByteStream: Bool { false }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> BlockRead {
        while true {
            var source = TapeBlockSource(drive: tapes[index])
            let r = try source.read(into: buffer)
            if case .endOfData = r, index + 1 < tapes.count {
                index += 1
                if let block = try tapes[index].readBlock(maximumSize: 2 << 20) {
                    var assembler = RecordAssembler()
                    try block.withUnsafeBytes { raw in
                        let header = try BlockHeader.decode(raw, address: .tape(file: 0, block: 0))
                        try assembler.consume(block: raw, header: header, address: .tape(file: 0, block: 0)) {
                            labels.append(try VolumeLabel(decoding: $0.data))
                        }
                    }
                }
                continue
            }
            return r
        }
    }

    mutating func advance(by count: Int) throws {}
    mutating func seek(to address: VolumeAddress) throws -> Bool { false }
}

struct ReadBack {
    var records: [SessionKey: [Record]] = [:]
    var labels: [Record] = []
    var blocks: [(BlockHeader, VolumeAddress)] = []
    var damaged = 0
    var continuationLabels: [VolumeLabel] = []

    func data(of session: SessionKey) -> [JobPlan.Item] {
        (records[session] ?? []).filter { $0.fileIndex > 0 }.map {
            JobPlan.Item(fileIndex: $0.fileIndex, stream: $0.stream, data: $0.data)
        }
    }

    func label(_ type: LabelType, of session: SessionKey) -> [Record] {
        (records[session] ?? []).filter { $0.fileIndex == type.rawValue }
    }
}

/// Reads the volume set with BaculaVolume's reader.
func readBack(_ paths: [String]) throws -> ReadBack {
    var reader = VolumeReader(source: try VolumeChain(paths: paths), initialBufferSize: 1 << 20)
    defer { reader.close() }
    var out = try collect(&reader)
    out.continuationLabels = reader.source.labels
    return out
}

/// Every label, record, block and damaged block a reader yields, sorted into a `ReadBack`.
func collect<Source: BlockSource>(_ reader: inout VolumeReader<Source>) throws -> ReadBack {
    var out = ReadBack()
    while let event = try reader.next() {
        switch event {
        case .record(let r):
            if r.fileIndex == LabelType.volumeLabel.rawValue || r.fileIndex == LabelType.preLabel.rawValue {
                out.labels.append(r)
            } else {
                out.records[SessionKey(id: r.sessionID, time: r.sessionTime), default: []].append(r)
            }
        case .block(let h, let a): out.blocks.append((h, a))
        case .damagedBlock: out.damaged += 1
        case .filemark: break
        }
    }
    return out
}

/// Checks that a job's records read back exactly as planned.
func matches(_ back: ReadBack, _ plan: JobPlan) -> Bool {
    let got = back.data(of: SessionKey(id: plan.jobID, time: sessionTime))
    guard got.count == plan.count else { return false }
    for n in 0..<plan.count where got[n] != plan.item(n) { return false }
    return true
}

/// `bls -j` on a vtape image, with an SD config like Tests/Fixtures/bacula-9.6.7/bls-fixtures.conf.
func blsJobs(image: String, volume: String, scratch: Scratch) throws -> (status: Int32, output: String) {
    let work = scratch.directory("bls-work")
    let config = """
        Storage { Name = capstan-spool-test-sd
          WorkingDirectory = "\(work)"
          Pid Directory = "\(work)" }
        Device { Name = SpoolTape; Media Type = LTO-VT; Archive Device = \(image)
          Device Type = vtape; AlwaysOpen = no; RemovableMedia = yes; RandomAccess = no
          Maximum Block Size = 1048576
        }
        Messages { Name = Standard; stdout = all }
        """
    let conf = scratch.path("bls-sd.conf")
    try config.write(toFile: conf, atomically: true, encoding: .utf8)
    return try Command.runMerged(["/usr/sbin/bls", "-c", conf, "-V", volume, "-j", "SpoolTape"])
}

/// A drive clock that only moves when the test advances it; sleepers block until then.
final class ManualDriveClock: DriveClock, @unchecked Sendable {
    private let condition = NSCondition()
    private var time: UInt64 = 0
    private var sleepers = 0
    private var started = 0
    private var deadlines: [UInt64] = []
    private var freeRunning = false

    /// From now on sleeps return at once and move time to their deadline (like `JumpingDriveClock`).
    func runFree() {
        condition.lock()
        freeRunning = true
        if let d = deadlines.max(), d > time { time = d }
        condition.broadcast()
        condition.unlock()
    }

    func now() -> UInt64 { condition.withLock { time } }

    func sleep(until deadline: UInt64) {
        condition.lock()
        if freeRunning {
            time = max(time, deadline)
            condition.unlock()
            return
        }
        sleepers += 1
        started += 1
        deadlines.append(deadline)
        while time < deadline { condition.wait() }
        sleepers -= 1
        deadlines.removeAll { $0 == deadline }
        condition.unlock()
    }

    func advance(by nanoseconds: UInt64) {
        condition.lock()
        time += nanoseconds
        condition.broadcast()
        condition.unlock()
    }

    /// Moves time to the earliest pending sleeper's deadline (exactly when the drive finishes its write).
    func advanceToNextDeadline() {
        condition.lock()
        if let d = deadlines.min(), d > time { time = d }
        condition.broadcast()
        condition.unlock()
    }

    var sleeping: Int { condition.withLock { sleepers } }
    /// Sleeps begun so far (tells a new sleep from one the last `advance` has not woken yet).
    var sleepsStarted: Int { condition.withLock { started } }
}

/// A drive clock whose sleeps return at once, moving time to the deadline (a simulated drive at full speed).
final class JumpingDriveClock: DriveClock, Sendable {
    private let time = Mutex<UInt64>(0)
    func now() -> UInt64 { time.withLock { $0 } }
    func sleep(until deadline: UInt64) { time.withLock { $0 = max($0, deadline) } }
}

/// Polls `condition` until it holds or `seconds` pass (for waiting on other threads; no timing is asserted).
func eventually(seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// Collects spool events in order.
final class EventLog: Sendable {
    private let events = Mutex<[SpoolEvent]>([])
    func record(_ e: SpoolEvent) { events.withLock { $0.append(e) } }
    var all: [SpoolEvent] { events.withLock { $0 } }
}
