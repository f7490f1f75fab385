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

    /// A writer on an unrated virtual tape, gathering `gather` blocks (limit 10 minutes: never reached here).
    func writer(_ scratch: Scratch, name: String, pool: Int, gather: Int) throws -> (DriveWriter, VirtualTape) {
        let tape = try VirtualTape(path: scratch.path("\(name).vtape"), writable: true)
        let writer = DriveWriter(
            configuration: DriveWriter.Configuration(
                blockSize: DriveWriterTests.blockSize, queueBlocks: pool,
                start: DriveStart(blocks: gather, limit: .seconds(600))),
            firstVolume: VolumeMount(drive: tape, label: volumeLabel(name), medium: .relabel),
            owner: DriveWriter.Owner(nextVolume: { _ in throw CancellationError() }))
        return (writer, tape)
    }

    func submit(_ block: [UInt8], of job: DeviceJob, to writer: DriveWriter, end: Bool = false) {
        let buffer = writer.takeBuffer()
        block.withUnsafeBytes { buffer.storage.copyMemory(from: $0) }
        buffer.count = block.count
        writer.submit(end ? [.block(job.session, buffer), .end(job.session, JobTotals(files: 1, bytes: 1))] : [.block(job.session, buffer)])
    }

    @Test func theDriveStartsWhenThePoolIsQueuedAndWritesEverything() async throws {
        let scratch = Scratch("drive-start-pool")
        defer { scratch.cleanup() }
        let (writer, tape) = try writer(scratch, name: "GATHER", pool: 4, gather: 4)
        let job = deviceJob(21)
        let blocks = try DriveWriterTests.blocks(job: 21, count: 6)
        writer.submit([.begin(job)])
        for block in blocks.prefix(3) { submit(block, of: job, to: writer) }
        // three blocks queued and the writer waiting: it holds them rather than starting the drive on one
        #expect(await eventually { writer.statistics.waitingForData && writer.statistics.queuedBlocks == 3 })
        let held = writer.statistics
        #expect(held.queuedBlocks == 3 && held.blocks <= 1, "\(held)")  // at most the label is on the tape
        submit(blocks[3], of: job, to: writer)
        #expect(await eventually { writer.statistics.queuedBlocks == 0 && writer.statistics.blocks >= 5 })
        // once streaming, each block goes as it comes
        submit(blocks[4], of: job, to: writer)
        #expect(await eventually { writer.statistics.queuedBlocks == 0 && writer.statistics.blocks >= 6 })
        submit(blocks[5], of: job, to: writer, end: true)
        let outcome = try await writer.outcome(of: job.session)
        let statistics = try await writer.close()
        try tape.close()
        #expect(outcome.blocks == 6 + 1)  // the six blocks and the EOS
        #expect(statistics.blocks == 6 + 2)  // and the label
    }

    @Test func aJobsEndStartsTheDriveOnWhatIsQueued() async throws {
        let scratch = Scratch("drive-start-end")
        defer { scratch.cleanup() }
        let (writer, tape) = try writer(scratch, name: "ENDS", pool: 8, gather: 8)
        let job = deviceJob(22)
        let blocks = try DriveWriterTests.blocks(job: 22, count: 2)
        writer.submit([.begin(job)])
        submit(blocks[0], of: job, to: writer)
        #expect(await eventually { writer.statistics.waitingForData && writer.statistics.queuedBlocks == 1 })
        submit(blocks[1], of: job, to: writer, end: true)
        let outcome = try await writer.outcome(of: job.session)
        _ = try await writer.close()
        try tape.close()
        #expect(outcome.blocks == 2 + 1)
    }

    /// The pool is smaller than the blocks to gather and one producer holds a buffer it is filling: once another
    /// producer waits for a buffer, nothing more can be queued until the drive takes some, so it starts.
    @Test func aProducerBlockedOnTheFullPoolStartsTheDrive() async throws {
        let scratch = Scratch("drive-start-blocked")
        defer { scratch.cleanup() }
        let (writer, tape) = try writer(scratch, name: "BLOCKED", pool: 3, gather: 8)
        let job = deviceJob(23)
        let blocks = try DriveWriterTests.blocks(job: 23, count: 4)
        writer.submit([.begin(job)])
        submit(blocks[0], of: job, to: writer)
        submit(blocks[1], of: job, to: writer)
        let filling = writer.takeBuffer()  // the third buffer, held by a producer still filling it
        #expect(await eventually { writer.statistics.waitingForData && writer.statistics.queuedBlocks == 2 })
        let waiting = Task.detached { writer.takeBuffer() }  // a second producer: blocks on the empty pool
        let buffer = await waiting.value
        writer.recycle(buffer)
        blocks[2].withUnsafeBytes { filling.storage.copyMemory(from: $0) }
        filling.count = blocks[2].count
        writer.submit([.block(job.session, filling)])
        submit(blocks[3], of: job, to: writer, end: true)
        let outcome = try await writer.outcome(of: job.session)
        _ = try await writer.close()
        try tape.close()
        #expect(outcome.blocks == 4 + 1)
    }
}
