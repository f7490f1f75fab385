import BaculaVolume
import Foundation
import StorageDaemon
import Testing
import TapeDevices

/// A stopped streaming drive starts only on enough queued data (`DriveStart`): the decision alone, then the drive
/// writer holding a virtual tape's first write until its pool is queued, a job ends, or the producers are blocked.
@Suite struct DriveStartTests {
    // MARK: the decision

    @Test func aBlockAloneWaitsForMore() {
        let start = DriveStart(blocks: 3, limit: .seconds(2))
        #expect(!start.ready([.block, .block], poolExhausted: false))
        #expect(!start.ready([], poolExhausted: false))
        #expect(!start.ready([], poolExhausted: true))
        // a job beginning between the blocks does not end the gathering: more data is coming
        #expect(!start.ready([.block, .begin, .block], poolExhausted: false))
    }

    @Test func enoughBlocksAJobsEndAPauseOrABlockedProducerStartTheDrive() {
        let start = DriveStart(blocks: 3, limit: .seconds(2))
        #expect(start.ready([.block, .begin, .block, .block], poolExhausted: false))
        #expect(start.ready([.block, .endOrPause], poolExhausted: false))
        #expect(start.ready([.block], poolExhausted: true))
        // the next item is not a block: nothing to gather for
        #expect(start.ready([.begin, .block], poolExhausted: false))
        #expect(start.ready([.endOrPause], poolExhausted: false))
        #expect(DriveStart(blocks: 0, limit: .zero).blocks == 1)
    }

    // MARK: the writer

    /// A drive writer on an unrated virtual tape that gathers `gather` blocks (limit 10 minutes: never reached
    /// here), with one job begun on it and that job's blocks ready to submit.
    struct Setup {
        let scratch: Scratch
        let writer: DriveWriter
        let tape: VirtualTape
        let job: DeviceJob
        let blocks: [[UInt8]]

        init(_ name: String, pool: Int, gather: Int, blocks count: Int) throws {
            scratch = Scratch("drive-start-\(name)")
            tape = try VirtualTape(path: scratch.path("\(name).vtape"), writable: true)
            writer = DriveWriter(
                configuration: DriveWriter.Configuration(
                    blockSize: DriveWriterTests.blockSize, queueBlocks: pool,
                    start: DriveStart(blocks: gather, limit: .seconds(600))),
                firstVolume: VolumeMount(drive: tape, label: volumeLabel(name), medium: .relabel),
                owner: DriveWriter.Owner(nextVolume: { _ in throw CancellationError() }))
            job = deviceJob(UInt32(20 + count))
            blocks = try DriveWriterTests.blocks(job: job.jobID, count: count)
            writer.submit([.begin(job)])
        }

        /// Submits block `n` in `buffer` (a fresh one from the pool when nil), with the job's end after the last.
        func submit(_ n: Int, in buffer: BlockBuffer? = nil) {
            let buffer = buffer ?? writer.takeBuffer()
            blocks[n].withUnsafeBytes { buffer.storage.copyMemory(from: $0) }
            buffer.count = blocks[n].count
            var items: [DriveItem] = [.block(job.session, buffer)]
            if n == blocks.count - 1 { items.append(.end(job.session, JobTotals(files: 1, bytes: 1))) }
            writer.submit(items)
        }

        /// Waits for the job's outcome, closes the writer and the tape, removes the scratch directory.
        func finish() async throws -> (JobOutcome, DriveStatistics) {
            defer { scratch.cleanup() }
            let outcome = try await writer.outcome(of: job.session)
            let statistics = try await writer.close()
            try tape.close()
            return (outcome, statistics)
        }
    }

    @Test func theDriveStartsWhenThePoolIsQueuedAndWritesEverything() async throws {
        let setup = try Setup("POOL", pool: 4, gather: 4, blocks: 6)
        let writer = setup.writer
        for n in 0..<3 { setup.submit(n) }
        // three blocks queued and the writer waiting: it holds them rather than starting the drive on one
        #expect(await eventually { writer.statistics.waitingForData && writer.statistics.queuedBlocks == 3 })
        let held = writer.statistics
        #expect(held.queuedBlocks == 3 && held.blocks <= 1, "\(held)")  // at most the label is on the tape
        setup.submit(3)
        #expect(await eventually { writer.statistics.queuedBlocks == 0 && writer.statistics.blocks >= 5 })
        // once streaming, each block goes as it comes
        setup.submit(4)
        #expect(await eventually { writer.statistics.queuedBlocks == 0 && writer.statistics.blocks >= 6 })
        setup.submit(5)
        let (outcome, statistics) = try await setup.finish()
        #expect(outcome.blocks == 6 + 1)  // the six blocks and the EOS
        #expect(statistics.blocks == 6 + 2)  // and the label
    }

    @Test func aJobsEndStartsTheDriveOnWhatIsQueued() async throws {
        let setup = try Setup("ENDS", pool: 8, gather: 8, blocks: 2)
        setup.submit(0)
        #expect(await eventually { setup.writer.statistics.waitingForData && setup.writer.statistics.queuedBlocks == 1 })
        setup.submit(1)  // the last block, with the job's end
        let (outcome, _) = try await setup.finish()
        #expect(outcome.blocks == 2 + 1)
    }

    /// The pool is smaller than the blocks to gather and one producer holds a buffer it is filling: once another
    /// producer waits for a buffer, nothing more can be queued until the drive takes some, so it starts.
    @Test func aProducerBlockedOnTheFullPoolStartsTheDrive() async throws {
        let setup = try Setup("BLOCKED", pool: 3, gather: 8, blocks: 4)
        let writer = setup.writer
        setup.submit(0)
        setup.submit(1)
        let filling = writer.takeBuffer()  // the third buffer, held by a producer still filling it
        #expect(await eventually { writer.statistics.waitingForData && writer.statistics.queuedBlocks == 2 })
        let waiting = Task.detached { writer.takeBuffer() }  // a second producer: blocks on the empty pool
        writer.recycle(await waiting.value)
        setup.submit(2, in: filling)
        setup.submit(3)
        let (outcome, _) = try await setup.finish()
        #expect(outcome.blocks == 4 + 1)
    }
}
