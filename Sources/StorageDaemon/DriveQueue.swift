/// One block-sized buffer from a drive writer's fixed pool. It belongs to exactly one party at a time: the pool,
/// the despooler filling it, the queue, or the writer thread; that hand-over is why it is `@unchecked Sendable`.
public final class BlockBuffer: @unchecked Sendable {
    /// The whole buffer (the pool's slot size, rounded up to the 4096-byte alignment).
    public private(set) var storage: UnsafeMutableRawBufferPointer
    /// Bytes of the block in it.
    public var count = 0

    init(size: Int) {
        storage = .allocate(byteCount: (size + 4095) / 4096 * 4096, alignment: 4096)
    }

    /// Takes `block` (its first `count` bytes are the block) as this buffer's memory and returns the memory it held,
    /// for the block writer to go on in: the block changes hands without a copy. `block` must be 4096-aligned and
    /// no smaller than `storage`.
    func exchange(_ block: UnsafeMutableRawBufferPointer, count: Int) -> UnsafeMutableRawBufferPointer {
        precondition(block.count >= storage.count && Int(bitPattern: block.baseAddress) % 4096 == 0)
        let old = storage
        storage = block
        self.count = count
        return old
    }

    /// Takes the block in the first `count` bytes of `block`: exchanges memory with it when the two are the same
    /// size (no copy), else copies it (at most `storage.count` bytes). Returns the memory the caller goes on in:
    /// this buffer's old memory after an exchange, `block` itself after a copy.
    func take(_ block: UnsafeMutableRawBufferPointer, count: Int) -> UnsafeMutableRawBufferPointer {
        if block.count == storage.count { return exchange(block, count: count) }
        copy(UnsafeRawBufferPointer(rebasing: block[0..<count]))
        return block
    }

    /// Copies `block` in (at most `storage.count` bytes) and makes it this buffer's block.
    func copy(_ block: UnsafeRawBufferPointer) {
        let n = min(block.count, storage.count)
        storage.copyMemory(from: UnsafeRawBufferPointer(rebasing: block[0..<n]))
        count = n
    }

    deinit { storage.deallocate() }

    /// The block.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }
}

/// What the drive writer is fed, in order.
public enum DriveItem: Sendable {
    /// A job starts on this drive (its first block, with the SOS, follows).
    case begin(DeviceJob)
    /// One finished block of a job (header, CRC, padding done).
    case block(SessionKey, BlockBuffer)
    /// The job's last block has been queued: write its EOS.
    case end(SessionKey, JobTotals)
    /// The producer holds data back on purpose (the despooler between bursts): the drive may stop now, and that
    /// stop is planned, not an underrun.
    case pause
}

/// The bounded queue in front of a drive writer, and the fixed pool of block buffers that bounds it: a producer
/// first takes a free buffer (waiting when all N are in use — that is the backpressure), fills it and submits it;
/// the writer thread takes items in order and gives buffers back. Memory is N buffers, whatever the backup size.
final class DriveQueue: Sendable {
    /// Someone waiting for a free buffer: a producer thread (blocked on the condition until its ticket is granted)
    /// or a task (suspended on a continuation).
    private enum Waiter {
        case thread(ticket: Int)
        case task(CheckedContinuation<BlockBuffer, Never>)
    }

    /// A producer thread's place: a buffer at once, or the ticket its grant will carry.
    private enum Turn {
        case now(BlockBuffer)
        case ticket(Int)
    }

    private struct State {
        var free: [BlockBuffer]
        /// Waiters in arrival order; free buffers go to the first one (no producer overtakes another, so a direct
        /// job waits at most one round of the other producers, never a whole despool turn).
        var waiters: [Waiter] = []
        var granted: [Int: BlockBuffer] = [:]
        var nextTicket = 0
        var items: [DriveItem] = []
        var head = 0
        var closed = false
        var writerWaiting = false
    }

    let bufferSize: Int
    let capacity: Int
    private let state: GuardedState<State>

    init(buffers: Int, bufferSize: Int) {
        capacity = max(1, buffers)
        self.bufferSize = bufferSize
        state = GuardedState("drive queue and buffer pool", State(free: (0..<max(1, buffers)).map { _ in BlockBuffer(size: bufferSize) }))
    }

    /// Blocks until a buffer is free and it is this caller's turn, and returns it (producer thread).
    func takeBuffer() -> BlockBuffer {
        if let buffer = tryTakeBuffer() { return buffer }
        // queued as a waiter with a broadcast: a writer gathering blocks (`gather`) learns the pool is exhausted
        let turn = state.update { state -> Turn in
            if state.waiters.isEmpty, let buffer = state.free.popLast() { return .now(buffer) }
            state.waiters.append(.thread(ticket: state.nextTicket))
            state.nextTicket += 1
            return .ticket(state.nextTicket - 1)
        }
        switch turn {
        case .now(let buffer): return buffer
        case .ticket(let ticket): return state.wait { state in state.granted.removeValue(forKey: ticket) }
        }
    }

    /// Suspends (without blocking the thread) until a buffer is free and it is this caller's turn (producer task).
    func nextBuffer() async -> BlockBuffer {
        if let buffer = tryTakeBuffer() { return buffer }
        return await withCheckedContinuation { (continuation: CheckedContinuation<BlockBuffer, Never>) in
            // queued with a broadcast, as in `takeBuffer`
            let now = state.update { state -> BlockBuffer? in
                if state.waiters.isEmpty, let buffer = state.free.popLast() { return buffer }
                state.waiters.append(.task(continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// A free buffer if one is available and nobody is waiting for one; never waits.
    func tryTakeBuffer() -> BlockBuffer? {
        state.withLock { state in state.waiters.isEmpty ? state.free.popLast() : nil }
    }

    /// A buffer goes back to the pool (writer thread, or a producer that did not use it) — straight to the first
    /// waiter, if any.
    func recycle(_ buffer: BlockBuffer) {
        buffer.count = 0
        let ready = state.update { state -> [(CheckedContinuation<BlockBuffer, Never>, BlockBuffer)] in
            state.free.append(buffer)
            var ready: [(CheckedContinuation<BlockBuffer, Never>, BlockBuffer)] = []
            while !state.waiters.isEmpty, let next = state.free.popLast() {
                switch state.waiters.removeFirst() {
                case .thread(let ticket): state.granted[ticket] = next
                case .task(let continuation): ready.append((continuation, next))
                }
            }
            return ready
        }
        for (continuation, buffer) in ready { continuation.resume(returning: buffer) }
    }

    /// Appends items atomically (a job's last block and its end go in together, so the writer never sees the gap).
    func submit(_ items: [DriveItem]) {
        state.update { state in
            state.items.append(contentsOf: items)
        }
    }

    /// No more items will come; the writer returns nil once the queue is empty.
    func close() {
        state.update { $0.closed = true }
    }

    /// The next item (writer thread). `dry` is true when the queue was empty on arrival and the writer had to wait;
    /// `onDry` runs (with the queue lock held, so it must be quick) at the moment the writer finds it empty.
    func take(onDry: () -> Void = {}) -> (item: DriveItem, dry: Bool)? {
        var dry = false
        return state.wait { state -> (DriveItem, Bool)?? in
            if state.head < state.items.count {
                let item = state.items[state.head]
                state.head += 1
                if state.head > 64 && state.head * 2 > state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                state.writerWaiting = false
                return .some((item, dry))
            }
            if state.closed {
                state.writerWaiting = false
                return .some(nil)
            }
            if !dry { onDry() }
            dry = true
            state.writerWaiting = true
            return nil
        }
    }

    /// Writer thread, before the first block of a streaming spell: returns once `start` says the drive may start on
    /// what is queued, the queue is closed, or `start.limit` has passed since the first block was queued (waiting
    /// for the first one has no limit: an idle drive is not started on nothing). Counts as waiting for data.
    func gather(_ start: DriveStart) {
        var deadline: ContinuousClock.Instant?
        state.wait(steps: { (state: inout State) -> GuardedState<State>.WaitStep<Void> in
            let pending = state.items[state.head...]
            let exhausted = state.free.isEmpty && !state.waiters.isEmpty
            if state.closed || start.ready(pending.lazy.map(\.queued), poolExhausted: exhausted) {
                state.writerWaiting = false
                return .done(())
            }
            state.writerWaiting = true
            guard !pending.isEmpty else { return .wait }
            let now = ContinuousClock.now
            let end = deadline ?? now.advanced(by: start.limit)
            deadline = end
            if now >= end {
                state.writerWaiting = false
                return .done(())
            }
            return .waitUntil(end)
        })
    }

    /// Blocks queued, whether the writer is waiting for one, and how many producers wait for a free buffer (for
    /// statistics and tests).
    var snapshot: (queued: Int, writerWaiting: Bool, producersWaiting: Int) {
        state.withLock { state in
            let blocks = state.items[state.head...].reduce(0) { n, item in
                if case .block = item { return n + 1 }
                return n
            }
            return (blocks, state.writerWaiting, state.waiters.count)
        }
    }
}
