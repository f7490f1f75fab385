import BaculaVolume
import Foundation
import StorageDaemon
import Synchronization
import Testing
import TapeDevices

/// The drive writer alone, fed by a producer thread, on a virtual tape with a rated speed and a manual clock: the
/// test moves time one block at a time, so the order of events — not wall-clock timing — decides what happens.
@Suite(.serialized) struct DriveWriterTests {
    static let blockSize = 1 << 20
    static let rate = 100 << 20  // 100 MiB/s: one 1 MiB block = 10 ms of drive time
    static let blockTime: UInt64 = 10_000_000

    /// Builds `count` full data blocks of job `id` (SOS first) with BaculaVolume's block writer.
    static func blocks(job id: UInt32, count: Int) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        var w = BlockWriter(blockSize: blockSize, padding: .multiple(1024))
        w.setSession(id: id, time: sessionTime) { _ in }
        var sos = deviceJob(id).label
        sos.totals = nil
        try w.append(fileIndex: LabelType.startOfSession.rawValue, stream: Int32(id), data: sos.encoded(), unsplittable: true) {
            out.append(Array($0))
        }
        let record = [UInt8](repeating: 0x5A, count: 65_536)
        var file: Int32 = 1
        while out.count < count {
            try w.append(fileIndex: file, stream: StreamType.fileData, data: record) { out.append(Array($0)) }
            file += 1
        }
        return Array(out.prefix(count))
    }

    final class Producer: @unchecked Sendable {
        let writer: DriveWriter
        let blocks: [[UInt8]]
        let job: DeviceJob
        private let gate = DispatchSemaphore(value: 0)
        let stallAfter: Int?
        private let doneFlag = Mutex(false)
        private let gateFlag = Mutex(false)

        /// The producer is stopped at its gate.
        var atGate: Bool { gateFlag.withLock { $0 } }

        func release() {
            gateFlag.withLock { $0 = false }
            gate.signal()
        }

        init(writer: DriveWriter, blocks: [[UInt8]], job: DeviceJob, stallAfter: Int?) {
            self.writer = writer
            self.blocks = blocks
            self.job = job
            self.stallAfter = stallAfter
        }

        var done: Bool { doneFlag.withLock { $0 } }

        func start() {
            let t = Thread { [self] in
                writer.submit([.begin(job)])
                for (n, block) in blocks.enumerated() {
                    if n == stallAfter {
                        gateFlag.withLock { $0 = true }
                        gate.wait()
                    }
                    let buffer = writer.takeBuffer()
                    block.withUnsafeBytes { buffer.storage.copyMemory(from: $0) }
                    buffer.count = block.count
                    var items: [DriveItem] = [.block(job.session, buffer)]
                    if n == blocks.count - 1 { items.append(.end(job.session, JobTotals(files: 1, bytes: 1))) }
                    writer.submit(items)
                }
                doneFlag.withLock { $0 = true }
            }
            t.start()
        }
    }

    /// Lockstep: whenever the drive is in a write and the producer has filled the queue (or is done, or stopped at
    /// its gate), time moves to the end of that write. When the stopped producer's data has all been written and the
    /// writer waits, time passes with nothing to write, `onStall` runs and the producer goes on.
    func drive(_ writer: DriveWriter, _ clock: ManualDriveClock, _ producer: Producer, finished: @escaping () -> Bool,
               onStall: () -> Void = {}) async -> Bool {
        let full = writer.configuration.queueBlocks - 1
        var stalled = false
        var seen = 0
        /// A sleep begun since the last advance (the writer is in a new write, not still waking from the last).
        func asleep() -> Bool { clock.sleeping == 1 && clock.sleepsStarted > seen }
        func dry() -> Bool { writer.statistics.waitingForData && writer.statistics.queuedBlocks == 0 }
        while !finished() {
            let ready = await eventually {
                finished()
                    || (asleep() && (writer.statistics.queuedBlocks >= full || producer.done || producer.atGate))
                    || (!stalled && producer.atGate && dry())
            }
            guard ready else { return false }
            if finished() { break }
            if !stalled && producer.atGate && dry() {
                clock.advance(by: 5 * Self.blockTime)
                onStall()
                stalled = true
                producer.release()
                continue
            }
            seen = clock.sleepsStarted
            clock.advanceToNextDeadline()
        }
        return true
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    @Test(arguments: [false, true])
    func underrunsCountWhenTheProducerStalls(stall: Bool) async throws {
        let scratch = Scratch("underrun-\(stall)")
        defer { scratch.cleanup() }
        let clock = ManualDriveClock()
        let tape = try VirtualTape(
            path: scratch.path("T.vtape"), writable: true,
            ratedSpeed: VirtualTape.RatedSpeed(bytesPerSecond: Self.rate, clock: clock))
        let writer = DriveWriter(
            configuration: DriveWriter.Configuration(blockSize: Self.blockSize, queueBlocks: 4),
            firstVolume: VolumeMount(drive: tape, label: volumeLabel("SPEED"), medium: .relabel), clock: clock,
            owner: DriveWriter.Owner(nextVolume: { _ in throw CancellationError() }))
        let job = deviceJob(41)
        let count = 16
        let producer = Producer(
            writer: writer, blocks: try Self.blocks(job: 41, count: count), job: job, stallAfter: stall ? 6 : nil)
        producer.start()
        let finished = Flag()
        let outcome = Task {
            defer { finished.set() }
            return try await writer.outcome(of: job.session)
        }
        var underrunsDuringStall = -1
        let ok = await drive(writer, clock, producer, finished: { finished.isSet }) {
            underrunsDuringStall = writer.statistics.underruns
        }
        #expect(ok)
        let result = try await outcome.value
        let stats = try await writer.close()
        try tape.close()
        #expect(result.blocks == count + 1)
        #expect(stats.blocks == count + 2)
        if stall {
            // the medium stop shows at the write that finds the drive stopped, after the stall
            #expect(underrunsDuringStall == 0)
            #expect(stats.underruns == 1)
            #expect(tape.mediumStops == 1)
        } else {
            #expect(stats.underruns == 0)
            #expect(tape.mediumStops == 0)
            // the drive streamed at its rated speed on the drive clock
            #expect(abs(stats.currentRate - Double(Self.rate)) / Double(Self.rate) < 0.02)
        }
    }

    /// A drive with a buffer accepts writes ahead of the medium; the clock only moves as the medium would.
    @Test func ratedSpeedPacesWritesOnTheDriveClock() throws {
        let scratch = Scratch("rated")
        defer { scratch.cleanup() }
        let clock = JumpingDriveClock()
        let tape = try VirtualTape(
            path: scratch.path("R.vtape"), writable: true,
            ratedSpeed: VirtualTape.RatedSpeed(bytesPerSecond: Self.rate, bufferBytes: 4 << 20, clock: clock))
        let block = [UInt8](repeating: 1, count: Self.blockSize)
        for _ in 0..<4 { try block.withUnsafeBytes { try tape.writeBlock($0) } }
        #expect(clock.now() == 0)  // four blocks fit the drive's buffer
        for _ in 0..<6 { try block.withUnsafeBytes { try tape.writeBlock($0) } }
        // ten blocks on the medium takes 100 ms; the last four are still in the buffer when the writer returns
        #expect(clock.now() == 6 * Self.blockTime)
        #expect(tape.mediumStops == 0)
        try tape.close()
    }

    /// A clock the test sets; sleeps jump to their deadline.
    final class SetDriveClock: DriveClock, Sendable {
        private let time = Mutex<UInt64>(0)
        func now() -> UInt64 { time.withLock { $0 } }
        func sleep(until deadline: UInt64) { time.withLock { $0 = max($0, deadline) } }
        func set(_ t: UInt64) { time.withLock { $0 = max($0, t) } }
    }

    /// Speed matching: a writer slower than the rated speed but faster than the minimum keeps the medium
    /// streaming; one slower than the minimum (or idle) finds it stopped. Without a minimum every gap stops it.
    @Test(arguments: [true, false])
    func speedMatchingKeepsTheMediumStreamingDownToTheMinimumRate(matching: Bool) throws {
        let scratch = Scratch("matching-\(matching)")
        defer { scratch.cleanup() }
        let clock = SetDriveClock()
        // 1 MiB = 10 ms at the rated 100 MiB/s, 40 ms at the minimum 25 MiB/s
        let tape = try VirtualTape(
            path: scratch.path("M.vtape"), writable: true,
            ratedSpeed: VirtualTape.RatedSpeed(
                bytesPerSecond: Self.rate, bufferBytes: 4 << 20, minimumBytesPerSecond: matching ? Self.rate / 4 : nil,
                clock: clock))
        let block = [UInt8](repeating: 7, count: Self.blockSize)
        let ms: UInt64 = 1_000_000
        var t: UInt64 = 0
        for _ in 0..<10 {  // 33 MiB/s: between the minimum and the rated speed
            clock.set(t)
            try block.withUnsafeBytes { try tape.writeBlock($0) }
            t += 30 * ms
        }
        #expect(tape.streamingStops == (matching ? 0 : 9))
        let afterFast = tape.mediumStops
        t += 500 * ms  // idle: the buffer runs empty whatever the speed
        for _ in 0..<3 {  // 16 MiB/s: below the minimum
            clock.set(t)
            try block.withUnsafeBytes { try tape.writeBlock($0) }
            t += 60 * ms
        }
        #expect(tape.mediumStops - afterFast == 3)
        try tape.close()
    }

    /// A stop after the producer said `.pause` (the despooler between bursts) is planned: no underrun. The same
    /// stop while streaming is one.
    @Test(arguments: [true, false])
    func aStopAfterAPauseIsNotAnUnderrun(pause: Bool) async throws {
        let scratch = Scratch("pause-\(pause)")
        defer { scratch.cleanup() }
        let clock = SetDriveClock()
        let tape = try VirtualTape(
            path: scratch.path("P.vtape"), writable: true,
            ratedSpeed: VirtualTape.RatedSpeed(bytesPerSecond: Self.rate, bufferBytes: 2 << 20, clock: clock))
        let reported = Mutex<[String]>([])
        let writer = DriveWriter(
            configuration: DriveWriter.Configuration(blockSize: Self.blockSize, queueBlocks: 4),
            firstVolume: VolumeMount(drive: tape, label: volumeLabel("PAUSE"), medium: .relabel), clock: clock,
            owner: DriveWriter.Owner(
                nextVolume: { _ in throw CancellationError() },
                underrun: { job, _ in reported.withLock { $0.append(job) } }))
        let job = deviceJob(43)
        let blocks = try Self.blocks(job: 43, count: 6)
        func submit(_ range: Range<Int>, end: Bool = false) {
            for n in range {
                let buffer = writer.takeBuffer()
                blocks[n].withUnsafeBytes { buffer.storage.copyMemory(from: $0) }
                buffer.count = blocks[n].count
                var items: [DriveItem] = [.block(job.session, buffer)]
                if end && n == range.upperBound - 1 { items.append(.end(job.session, JobTotals(files: 1, bytes: 1))) }
                writer.submit(items)
            }
        }
        writer.submit([.begin(job)])
        submit(0..<3)
        if pause { writer.submit([.pause]) }
        #expect(await eventually { writer.statistics.blocks >= 4 && writer.statistics.waitingForData })
        clock.set(clock.now() + 1_000_000_000)  // a second without data: the drive's buffer runs empty
        submit(3..<6, end: true)
        _ = try await writer.outcome(of: job.session)
        let stats = try await writer.close()
        try tape.close()
        #expect(tape.mediumStops >= 1)
        #expect(stats.underruns == (pause ? 0 : 1))
        #expect(reported.withLock { $0 } == (pause ? [] : [job.name]))
    }
}
