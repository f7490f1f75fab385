#if canImport(Glibc)
import Glibc
#endif
import TapeDevices

/// Moves spooled blocks to the drive writer continuously, on its own thread: asks the spool for the next piece
/// of work (one job has the turn at a time, see `Spool.nextWork`), takes a free buffer from the writer's pool
/// (blocking while the writer's queue is full), reads the block back with `pread` (whole aligned pages, see
/// `SpoolIO.alignment`) or takes it from spool memory, frees the spool slot and submits the block. Blocks are whole
/// and per job, so blocks of different jobs are never mixed.
final class Despooler: Sendable {
    private let spool: Spool
    private let writer: DriveWriter
    private let thread: GuardedState<ThreadHandle?> = GuardedState("despooler thread handle", nil)

    init(spool: Spool, writer: DriveWriter, name: String) {
        self.spool = spool
        self.writer = writer
        let handle = ThreadBridge.start(name: "despooler \(name)") { [self] in run() }
        thread.withLock { $0 = handle }
    }

    /// Suspends until the thread has stopped (after the spool was closed and every job ended).
    func join() async {
        if let handle = thread.withLock({ $0 }) { await handle.join() }
    }

    private func run() {
        let io = spool.configuration.io
        while let work = spool.nextWork() {
            switch work {
            case .begin(let job):
                writer.submit([.begin(job)])
            case .slot(let session, let fd, let path, let offset, let length, let endAfter, let memory):
                let buffer = writer.takeBuffer()
                if let memory {
                    // the two exchange their memory (or the block is copied); the spool keeps what it gets back
                    let back = buffer.take(memory.storage, count: length)
                    if back.baseAddress != memory.storage.baseAddress { _ = memory.exchange(back, count: 0) }
                } else {
                    // the block rounded up to the spool's alignment (the slot holds it; O_DIRECT needs whole pages)
                    let padded = io.padded(length)
                    let want = padded <= buffer.storage.count ? padded : length
                    do throws(SystemError) {
                        let n = try io.read(
                            fd, UnsafeMutableRawBufferPointer(rebasing: buffer.storage[0..<want]), offset, path)
                        guard n >= length else { throw SystemError(call: "pread", path: path, errno: EIO) }  // short read
                    } catch {
                        writer.recycle(buffer)
                        if let totals = spool.readFailed(session, error) { writer.submit([.end(session, totals)]) }
                        continue
                    }
                    buffer.count = length
                }
                spool.consumed(session)
                var items: [DriveItem] = [.block(session, buffer)]
                if let totals = endAfter { items.append(.end(session, totals)) }
                writer.submit(items)
            case .rescue(let session, let block):
                let buffer = writer.takeBuffer()
                let n = min(block.count, buffer.storage.count)
                block.withUnsafeBytes { buffer.storage.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                buffer.count = n
                writer.submit([.block(session, buffer)])
                spool.rescueConsumed(session)
            case .end(let session, let totals):
                writer.submit([.end(session, totals)])
            case .pause:
                writer.submit([.pause])
            }
        }
    }
}
