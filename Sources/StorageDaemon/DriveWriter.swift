import BaculaVolume
import TapeDevices

/// Owns one tape drive and writes finished blocks to it from its own thread (blocking `write(2)` is fine there).
///
/// Feeding: a producer (the despooler) takes a buffer from the writer's fixed pool (`takeBuffer`, blocks while all
/// `queueBlocks` buffers are in use — the backpressure), fills it with one block and `submit`s it with the job's
/// begin/end items. The writer thread takes items in order, writes, and recycles the buffer. Bridge to Swift
/// concurrency: the queue is one lock + condition (`DriveQueue`); async callers only wait through continuations
/// (`outcome(of:)`, `close()`); the thread calls async code (the owner's `nextVolume`) by blocking itself on a
/// semaphore (`ThreadBridge.blockingAwait`), never the other way round.
///
/// Underruns: the drive ran dry while it was streaming for a job that has not ended. On a drive that models its
/// buffer and medium (`TapeDrive.streamingStops`: a virtual tape with `Maximum Tape Rate`), that is a medium stop
/// seen by a write while the writer was streaming; elsewhere it is a moment when the writer wanted the next block,
/// found the queue empty and had been streaming. Streaming starts with a write and ends with a `.pause` from the
/// producer (the despooler between bursts: a planned stop) or when the last open job ends, so waits at job start,
/// between despool bursts, between jobs and after the last job are not underruns. A drive that streams starts a
/// spell only once enough is queued to stream on (`Configuration.start`, `DriveStart`), so that jobs starting one
/// after the other, or a client slower than the drive's slowest speed, do not start it on one block and stop it on
/// the next. File volumes (`.file`) have no underruns: a disk does not shoe-shine. Each underrun is reported to the
/// owner (`Owner.underrun`, which logs it) and counted in `DriveStatistics.underruns`.
public final class DriveWriter: Sendable {
    public struct Configuration: Sendable {
        /// Maximum Block Size: the largest block submitted (buffers are this, rounded up to 1024).
        public var blockSize: Int
        /// Buffers in the pool = blocks the queue can hold.
        public var queueBlocks: Int
        /// What is written: `.tape` (padding to 1024, tape file:block addresses, filemarks every Maximum File Size
        /// and at job end) or `.file` (`Device Type = File`: blocks of exactly `block_len` bytes, byte-offset
        /// addresses, no filemarks; the drive is a `FileVolumeDrive`).
        public var medium: VolumeMedium
        /// Maximum Volume Bytes (Maximum Volume Size): a file volume is full when the next block would take it past
        /// this many bytes; the job then continues on the next volume (`Owner.nextVolume`). 0 = unlimited. Tapes
        /// end at the drive's end of medium instead.
        public var maximumVolumeBytes: Int64
        /// Blocks over which `currentRate` is measured.
        public var rateWindow: Int
        /// A drive that streams (a tape drive, a virtual tape with a rated speed) starts each streaming spell only
        /// once enough blocks are queued (`DriveStart`); nil starts it with the first block (disks, tests).
        public var start: DriveStart?

        public init(
            blockSize: Int = 1 << 20, queueBlocks: Int = 8, maximumFileSize: Int = 1_000_000_000, rateWindow: Int = 32,
            medium: VolumeMedium? = nil, maximumVolumeBytes: Int64 = 0, start: DriveStart? = nil
        ) {
            self.start = start
            self.blockSize = blockSize
            self.queueBlocks = queueBlocks
            self.medium = medium ?? .tape(maximumFileSize: maximumFileSize)
            self.maximumVolumeBytes = max(0, maximumVolumeBytes)
            self.rateWindow = max(2, rateWindow)
        }

        /// A `Device Type = File` device: file volumes of at most `maximumVolumeBytes` (0 = unlimited).
        public static func fileVolumes(
            blockSize: Int = 1 << 20, queueBlocks: Int = 8, maximumVolumeBytes: Int64 = 0
        ) -> Configuration {
            Configuration(
                blockSize: blockSize, queueBlocks: queueBlocks, medium: .file, maximumVolumeBytes: maximumVolumeBytes)
        }

        /// Tape bytes between filemarks (Maximum File Size); 0 for file volumes. Setting it selects tape.
        public var maximumFileSize: Int {
            get {
                if case .tape(let size) = medium { return size }
                return 0
            }
            set { medium = .tape(maximumFileSize: newValue) }
        }

        /// Size of one pool buffer: a block padded for tape.
        public var bufferSize: Int {
            let m = VolumeFormat.tapePadding
            return (max(blockSize, VolumeFormat.blockHeaderSize + VolumeFormat.recordHeaderSize + 1) + m - 1) / m * m
        }
    }

    /// What the writer asks of and reports to whoever owns it (the device's reservation; the Director behind it).
    public struct Owner: Sendable {
        /// End of medium: unload the full volume, get the next one mounted (spec §8.3) and return it.
        public var nextVolume: @Sendable (EndOfMedium) async throws -> VolumeMount
        /// A JobMedia segment closed (filemark, end of volume, end of job). Called on the writer thread; must not
        /// block.
        public var jobMedia: @Sendable (JobMediaSegment) -> Void
        /// The drive ran dry while streaming for `job` (the writer's underrun count so far). Called on the writer
        /// thread; must not block.
        public var underrun: @Sendable (_ job: String, _ total: Int) -> Void

        public init(
            nextVolume: @escaping @Sendable (EndOfMedium) async throws -> VolumeMount,
            jobMedia: @escaping @Sendable (JobMediaSegment) -> Void = { _ in },
            underrun: @escaping @Sendable (_ job: String, _ total: Int) -> Void = { _, _ in }
        ) {
            self.nextVolume = nextVolume
            self.jobMedia = jobMedia
            self.underrun = underrun
        }
    }

    private enum Outcome {
        case waiting(CheckedContinuation<JobOutcome, any Error>)
        case done(Result<JobOutcome, any Error>)
    }

    private struct Meter {
        var statistics = DriveStatistics()
        /// One more than the highest block number written on the current volume (see `nextBlockNumber`).
        var nextBlockNumber: UInt32 = 0
        var window: [(time: UInt64, bytes: Int64)] = []
        var firstBlockTime: UInt64?
        var failure: DriveWriterError?
    }

    public let configuration: Configuration
    private let queue: DriveQueue
    private let meter: GuardedState<Meter>
    private let outcomes = GuardedState<[SessionKey: Outcome]>("job outcomes", [:])
    private let clock: any DriveClock
    private let thread: GuardedState<ThreadHandle?> = GuardedState("writer thread handle", nil)

    /// Starts the writer thread on `firstVolume` (ownership of its drive passes to the writer).
    public init(
        configuration: Configuration = Configuration(), firstVolume: VolumeMount,
        clock: any DriveClock = MonotonicDriveClock(), owner: Owner
    ) {
        self.configuration = configuration
        self.clock = clock
        queue = DriveQueue(buffers: configuration.queueBlocks, bufferSize: configuration.bufferSize)
        var m = Meter()
        if configuration.medium == .file {
            // the volume label is block 0; appending continues after the volume's last block (read before the
            // writer thread owns the drive)
            m.nextBlockNumber = 1
            if firstVolume.medium == .append, let file = firstVolume.drive as? FileVolumeDrive,
                let last = try? file.lastBlock()
            {
                m.nextBlockNumber = last.number &+ 1
            }
        }
        meter = GuardedState("drive statistics", m)
        let handle = ThreadBridge.start(name: "drive writer \(firstVolume.volumeName)") { [self] in
            run(firstVolume: firstVolume, owner: owner)
        }
        thread.withLock { $0 = handle }
    }

    // MARK: producer side (threads)

    /// A free buffer from the pool; blocks while all are queued or being written. Producers get buffers in the
    /// order they asked (threads and tasks alike).
    public func takeBuffer() -> BlockBuffer { queue.takeBuffer() }

    /// The same for a task: suspends, without blocking a thread, until a buffer is free and it is the caller's turn.
    public func nextBuffer() async -> BlockBuffer { await queue.nextBuffer() }

    /// A free buffer if one is available at once and no other producer is waiting; nil otherwise.
    public func tryTakeBuffer() -> BlockBuffer? { queue.tryTakeBuffer() }

    /// Gives back a buffer that was taken but not submitted.
    public func recycle(_ buffer: BlockBuffer) { queue.recycle(buffer) }

    /// Queues items in order; a job's last block and its `.end` should be submitted together.
    public func submit(_ items: [DriveItem]) { queue.submit(items) }

    // MARK: async side

    /// The job's outcome once its EOS is on tape (or the error that stopped it).
    public func outcome(of session: SessionKey) async throws -> JobOutcome {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JobOutcome, any Error>) in
            let ready: Result<JobOutcome, any Error>? = outcomes.withLock { table in
                if case .done(let result) = table[session] {
                    table[session] = nil
                    return result
                }
                table[session] = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// No more items: lets the thread write what is queued, then waits for it to exit. Throws the failure that
    /// stopped the writer, if any.
    public func close() async throws -> DriveStatistics {
        queue.close()
        if let handle = thread.withLock({ $0 }) { await handle.join() }
        if let failure = meter.withLock({ $0.failure }) { throw failure }
        return statistics
    }

    /// A snapshot of the counters.
    public var statistics: DriveStatistics {
        let (queued, waiting, producers) = queue.snapshot
        return meter.withLock { m in
            var s = m.statistics
            s.queuedBlocks = queued
            s.waitingForData = waiting
            s.producersWaitingForBuffers = producers
            return s
        }
    }

    /// The block number a job opening now starts at on a file volume: one more than the highest written on the
    /// volume (so a job appended to a volume continues its numbering; the label is block 0). Jobs written at the
    /// same time number independently, each continuously (spec §3.5). Always 0 on tape.
    public var nextBlockNumber: UInt32 { meter.withLock { $0.nextBlockNumber } }

    /// The error that stopped the writer, if any.
    public var failure: DriveWriterError? { meter.withLock { $0.failure } }

    // MARK: writer thread

    private func finish(_ session: SessionKey, _ result: Result<JobOutcome, any Error>) {
        let waiter: CheckedContinuation<JobOutcome, any Error>? = outcomes.withLock { table in
            if case .waiting(let c) = table[session] {
                table[session] = nil
                return c
            }
            table[session] = .done(result)
            return nil
        }
        waiter?.resume(with: result)
    }

    private func wroteBlock(_ count: Int) {
        let now = clock.now()
        let window = configuration.rateWindow
        meter.withLock { m in
            m.statistics.blocks += 1
            m.statistics.bytes += Int64(count)
            if m.firstBlockTime == nil { m.firstBlockTime = now }
            m.window.append((now, Int64(count)))
            if m.window.count > window { m.window.removeFirst(m.window.count - window) }
            if let first = m.window.first, now > first.time {
                let bytes = m.window.dropFirst().reduce(Int64(0)) { $0 + $1.bytes }
                m.statistics.currentRate = Double(bytes) * 1e9 / Double(now - first.time)
            }
            if let start = m.firstBlockTime, now > start {
                m.statistics.averageRate = Double(m.statistics.bytes) * 1e9 / Double(now - start)
            }
        }
    }

    private func run(firstVolume: VolumeMount, owner: Owner) {
        let events = VolumeSpanWriter.Events(
            wroteBlock: { [self] in wroteBlock($0) },
            wroteFilemark: { [self] in meter.withLock { $0.statistics.filemarks += 1 } },
            mountedVolume: { [self] in meter.withLock { $0.statistics.volumes += 1 } },
            numberedBlock: { [self] number in
                guard configuration.medium == .file else { return }
                meter.withLock { $0.nextBlockNumber = max($0.nextBlockNumber, number &+ 1) }
            })
        let head = VolumeSpanWriter(
            mount: firstVolume, blockSize: configuration.bufferSize, medium: configuration.medium,
            maximumVolumeBytes: configuration.maximumVolumeBytes, owner: owner, events: events)
        var streaming = false
        var open: [SessionKey: String] = [:]
        var failure: DriveWriterError?

        func fail(_ error: any Error, _ job: String) {
            let e = (error as? DriveWriterError) ?? .drive(volume: "?", job: job, operation: "write", underlying: error)
            failure = e
            meter.withLock { $0.failure = e }
        }

        /// Adds one underrun (for `job`) and tells the owner.
        func underrun(_ job: String) {
            let total = meter.withLock { m -> Int in
                m.statistics.underruns += 1
                return m.statistics.underruns
            }
            owner.underrun(job, total)
        }

        while true {
            // A drive that models its medium reports its own stops (checked at each write below); otherwise a dry
            // queue while streaming is the underrun — on tape only: a file volume on disk does not stop and
            // reposition when its writer waits, so there is nothing to count.
            let queueDryCounts =
                streaming && !open.isEmpty && head.driveStreamingStops == nil && configuration.medium != .file
            let anyJob = open.values.first ?? "?"
            if !streaming, let start = configuration.start { queue.gather(start) }
            guard
                let (item, dry) = queue.take(onDry: {
                    if queueDryCounts { underrun(anyJob) }
                })
            else { break }
            if dry && head.driveStreamingStops == nil { streaming = false }
            switch item {
            case .pause:
                streaming = false
            case .begin(let job):
                open[job.session] = job.name
                if failure == nil { head.begin(job) }
            case .block(let session, let buffer):
                if failure == nil {
                    do {
                        let stopsBefore = head.driveStreamingStops
                        try head.write(buffer.bytes, for: session)
                        if streaming, let before = stopsBefore, let after = head.driveStreamingStops, after > before {
                            for _ in before..<after { underrun(open[session] ?? session.description) }
                        }
                        streaming = true
                    } catch {
                        fail(error, open[session] ?? session.description)
                    }
                }
                queue.recycle(buffer)
            case .end(let session, let totals):
                let name = open.removeValue(forKey: session) ?? session.description
                if let failure {
                    finish(session, .failure(DriveWriterError.writerFailed(job: name, cause: failure.description)))
                    continue
                }
                do {
                    finish(session, .success(try head.end(session, totals: totals)))
                    // the drive may stop once no job is left: an idle stop, not an underrun
                    streaming = !open.isEmpty
                } catch {
                    fail(error, name)
                    finish(session, .failure(error))
                }
            }
        }
    }
}
