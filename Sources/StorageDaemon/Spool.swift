import Foundation
import TapeDevices

/// The spool of one device: every job's ring of spooled blocks on disk, the device-wide budget (Maximum Spool
/// Size) and the despool turns. All state sits behind one lock (`spool rings and budget`).
///
/// Each job has a spool file used as a ring of block-sized slots (`SpoolConfiguration.jobSlots(for:)`: its Spool Size
/// or the device's Maximum Job Spool Size): the job's producer appends at the tail,
/// the despooler consumes from the head, so spooling and despooling overlap; a producer whose ring (or the device's
/// budget) is full suspends until the despooler frees a slot. Producers are async and suspend on continuations; the
/// despooler is a thread and blocks on the lock's condition.
///
/// Spool memory: a slot may hold its block in memory instead of in the file, while the device has fewer than
/// `memoryBlocks` blocks so held (`takeMemory`). While the despooler keeps up with the producers, blocks pass
/// through memory and the spool file is neither written nor read; once it falls behind, the memory is all held and
/// further blocks go to the file. Either way the slots keep their order in the ring.
final class Spool: Sendable {
    struct Ring {
        let job: DeviceJob
        let path: String
        let fd: Int32
        let capacity: Int
        var head = 0
        var filled = 0
        var reserved = 0
        var lengths: [Int]
        /// Slots (by index) whose block is held in spool memory rather than in the file.
        var memory: [Int: BlockBuffer] = [:]
        var spooledCount = 0
        var despooledCount = 0
        /// Blocks handed over in memory because the disk refused them (see `JobSpooler`).
        var rescue: [[UInt8]] = []
        var rescueWaiters: [CheckedContinuation<Void, Never>] = []
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        /// The producer waits for the ring to drain: despool it now whatever the thresholds say.
        var urgent = false
        var totals: JobTotals?
        var began = false
        var endSent = false
        var failure: SpoolError?
        /// The spool file holds blocks on disk (written since it was created or last truncated).
        var holdsDisk = false

        var hasWork: Bool { filled > 0 || !rescue.isEmpty || (totals != nil && !endSent) }
        var drained: Bool { filled == 0 && rescue.isEmpty }
    }

    struct SpaceWaiter {
        var session: SessionKey
        var count: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        let deviceSlots: Int
        /// Spool memory: blocks the device may hold in memory, blocks held (in slots, or taken by a producer), and
        /// buffers free for reuse.
        let memoryLimit: Int
        var memoryHeld = 0
        var memoryFree: [BlockBuffer] = []
        var rings: [SessionKey: Ring] = [:]
        var order: [SessionKey] = []
        var used = 0
        var turn: SessionKey?
        var turnCount = 0
        /// The turn's job still has its turn: it has not run dry since the turn began.
        var turnOpen = false
        /// The despooler told the drive writer it holds back (`Work.pause`) and has despooled nothing since.
        var paused = true
        var spaceWaiters: [SpaceWaiter] = []
        var closed = false
        /// Bumped each time a job's spool file gives disk space back (truncated after despooling, or removed).
        var freedGeneration = 0
        var freedWaiters: [CheckedContinuation<Bool, Never>] = []
        /// Jobs whose spool file is being removed, with whoever waits for that (`removed`).
        var removing: [SessionKey: [CheckedContinuation<Void, Never>]] = [:]
        /// Waiters for the moment no spool file is being removed (`allRemoved`).
        var removedAllWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// What the despooler does next.
    enum Work {
        case begin(DeviceJob)
        /// The head slot of the job: its block is in `memory`, or at `offset` in the file.
        case slot(
            SessionKey, fd: Int32, path: String, offset: Int64, length: Int, endAfter: JobTotals?, memory: BlockBuffer?)
        case rescue(SessionKey, [UInt8])
        case end(SessionKey, JobTotals)
        /// Nothing is ready to despool: the drive may stop now (a planned stop between bursts, not an underrun).
        case pause
    }

    let configuration: SpoolConfiguration
    private let state: GuardedState<State>
    /// Closes and unlinks the spool files of finished jobs, one at a time, off the despooler thread: unlinking a
    /// large file can take a few hundred milliseconds (a filesystem mounted with `discard` trims its blocks), and a
    /// despooler stalled that long between two jobs lets a streaming drive run dry.
    private let remover = DispatchQueue(label: "capstan.spool.file-removal")

    init(configuration: SpoolConfiguration) throws(SpoolError) {
        self.configuration = configuration
        state = GuardedState(
            "spool rings and budget",
            State(deviceSlots: configuration.deviceSlots, memoryLimit: configuration.memoryBlocks))
        guard configuration.jobSlots >= 2 else {
            throw SpoolError(
                .configuration, job: "-", path: configuration.directory,
                detail: "Maximum (Job) Spool Size must hold at least two \(configuration.slotSize)-byte blocks")
        }
    }

    private func notify(_ event: SpoolEvent) { configuration.observer?(event) }

    // MARK: producer side

    /// Creates the job's spool file and its ring of `configuration.jobSlots(for: job)` slots.
    func open(_ job: DeviceJob) throws(SpoolError) -> (path: String, fd: Int32, slots: Int) {
        let path = configuration.path(for: job)
        let fd: Int32
        do {
            fd = try configuration.io.create(path)
        } catch {
            throw SpoolError(.cannotCreate, job: job.name, path: path, underlying: error)
        }
        let capacity = configuration.jobSlots(for: job)
        state.update { s in
            s.rings[job.session] = Ring(
                job: job, path: path, fd: fd, capacity: capacity, lengths: Array(repeating: 0, count: capacity))
            s.order.append(job.session)
        }
        return (path, fd, capacity)
    }

    /// Suspends until `count` slots are free in the job's ring and in the device budget, and reserves them.
    func reserve(_ session: SessionKey, _ count: Int) async throws {
        // The usual case, room at once: no continuation, and no wake-up of the despooler (a reservation changes
        // nothing it waits for).
        let ready = try state.withLock { s throws -> Bool in
            guard let ring = s.rings[session] else { throw SpoolError(.jobClosed, job: session.description, path: "") }
            if let failure = ring.failure { throw failure }
            guard Self.fits(s, session, count) else { return false }
            Self.take(&s, session, count)
            return true
        }
        if ready { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let (outcome, wake) = state.update { s -> (Result<Bool, any Error>, [CheckedContinuation<Void, Never>]) in
                guard let ring = s.rings[session] else {
                    return (.failure(SpoolError(.jobClosed, job: session.description, path: "")), [])
                }
                if let failure = ring.failure { return (.failure(failure), []) }
                if Self.fits(s, session, count) {
                    Self.take(&s, session, count)
                    return (.success(true), [])
                }
                s.spaceWaiters.append(SpaceWaiter(session: session, count: count, continuation: continuation))
                return (.success(false), [])
            }
            for w in wake { w.resume() }
            switch outcome {
            case .success(true): continuation.resume()
            case .success(false): notify(.waitedForSpace(session))
            case .failure(let e): continuation.resume(throwing: e)
            }
        }
    }

    private static func fits(_ s: State, _ session: SessionKey, _ count: Int) -> Bool {
        guard let r = s.rings[session] else { return false }
        return r.filled + r.reserved + count <= r.capacity && s.used + count <= s.deviceSlots
    }

    private static func take(_ s: inout State, _ session: SessionKey, _ count: Int) {
        s.rings[session]?.reserved += count
        s.used += count
    }

    /// Grants waiting reservations that fit now; returns their continuations (resume outside the lock).
    private static func grant(_ s: inout State) -> [CheckedContinuation<Void, any Error>] {
        var ready: [CheckedContinuation<Void, any Error>] = []
        var i = 0
        while i < s.spaceWaiters.count {
            let w = s.spaceWaiters[i]
            if fits(s, w.session, w.count) {
                take(&s, w.session, w.count)
                ready.append(w.continuation)
                s.spaceWaiters.remove(at: i)
            } else {
                i += 1
            }
        }
        return ready
    }

    /// Offset of the next slot to write (the ring's tail).
    func tailOffset(_ session: SessionKey) -> Int64? {
        state.withLock { s in
            guard let r = s.rings[session] else { return nil }
            return Int64((r.head + r.filled) % r.capacity) * Int64(configuration.slotSize)
        }
    }

    /// A buffer of spool memory for the job's next block, or nil when the device's spool memory is all held (or the
    /// job has failed): the block then goes to the file. The buffer is the producer's until it passes it to
    /// `filled` (or back with `returnMemory`). A new buffer has `size` bytes.
    func takeMemory(_ session: SessionKey, size: Int) -> BlockBuffer? {
        var reused: BlockBuffer?
        let granted = state.withLock { s -> Bool in
            guard s.memoryHeld < s.memoryLimit, let r = s.rings[session], r.failure == nil else { return false }
            s.memoryHeld += 1
            reused = s.memoryFree.popLast()
            return true
        }
        guard granted else { return nil }
        return reused ?? BlockBuffer(size: size)
    }

    /// Bytes of spool memory the device's jobs hold now: blocks waiting in memory for the despooler, or being filled.
    var memoryBytes: Int { state.withLock { $0.memoryHeld } * configuration.blockSize }

    /// Gives back spool memory a producer took and did not fill.
    func returnMemory(_ buffer: BlockBuffer) {
        state.withLock { s in
            s.memoryHeld -= 1
            s.memoryFree.append(buffer)
        }
    }

    /// Frees the memory of slots that will not be despooled; with no job left, drops the free buffers too (the
    /// memory goes back to the system between jobs). Returns what to release outside the lock.
    private static func release(_ memory: [Int: BlockBuffer], _ s: inout State) -> [BlockBuffer] {
        s.memoryHeld -= memory.count
        s.memoryFree.append(contentsOf: memory.values)
        guard s.rings.isEmpty else { return [] }
        defer { s.memoryFree = [] }
        return s.memoryFree
    }

    /// A reserved slot at the tail now holds a block of `length` bytes: in the file, or in `memory` (from
    /// `takeMemory`).
    func filled(_ session: SessionKey, length: Int, memory: BlockBuffer? = nil) {
        state.update { s in
            guard var r = s.rings[session] else {
                if memory != nil { s.memoryHeld -= 1 }
                return
            }
            let index = (r.head + r.filled) % r.capacity
            r.lengths[index] = length
            r.filled += 1
            r.reserved -= 1
            r.spooledCount += 1
            if let memory { r.memory[index] = memory } else { r.holdsDisk = true }
            s.rings[session] = r
            notify(.spooled(session, block: r.spooledCount - 1))  // under the lock: the log order is the true order
        }
    }

    /// Gives back reserved slots that were not filled.
    func release(_ session: SessionKey, _ count: Int) {
        guard count > 0 else { return }
        // no wake-up of the despooler: freed reservations change nothing it waits for
        let ready = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.rings[session]?.reserved -= count
            s.used -= count
            return Self.grant(&s)
        }
        for c in ready { c.resume() }
    }

    /// Suspends until everything spooled for the job has gone to the drive writer.
    func waitDrained(_ session: SessionKey) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.update { s -> Bool in
                guard var r = s.rings[session], !r.drained else { return true }
                r.urgent = true
                r.drainWaiters.append(continuation)
                s.rings[session] = r
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Frees the disk space of a drained ring (Bacula truncates the spool file after despooling).
    func truncateDrained(_ session: SessionKey) throws(SystemError) {
        guard let (fd, path, held) = state.withLock({ s -> (Int32, String, Bool)? in
            guard var r = s.rings[session], r.drained else { return nil }
            r.head = 0
            let held = r.holdsDisk
            r.holdsDisk = false
            s.rings[session] = r
            return (r.fd, r.path, held)
        }) else { return }
        try configuration.io.truncate(fd, 0, path)
        if held { spaceFreed() }
    }

    /// How many times spool files gave disk space back so far (see `waitForFreedSpace`).
    var freedGeneration: Int { state.withLock { $0.freedGeneration } }

    /// A spool file gave disk space back: wakes the jobs waiting for it.
    private func spaceFreed() {
        let waiters = state.update { s -> [CheckedContinuation<Bool, Never>] in
            s.freedGeneration += 1
            defer { s.freedWaiters = [] }
            return s.freedWaiters
        }
        for w in waiters { w.resume(returning: true) }
    }

    /// The spool disk is full and `session`'s own file is empty: suspends until another job's spool file gives
    /// space back after `generation` (it is despooled and truncated, or the job ends). Returns false at once when
    /// no other job's spool file holds anything (nothing will free space: the disk is full with something else).
    func waitForFreedSpace(since generation: Int, except session: SessionKey) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now = state.update { s -> Bool? in
                if s.freedGeneration != generation { return true }
                guard s.rings.contains(where: { $0.key != session && $0.value.holdsDisk }) else { return false }
                s.freedWaiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Hands blocks over in memory (after the disk refused them) and suspends until the despooler has taken them.
    func rescue(_ session: SessionKey, _ blocks: [[UInt8]]) async {
        guard !blocks.isEmpty else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.update { s -> Bool in
                guard var r = s.rings[session] else { return true }
                r.rescue.append(contentsOf: blocks)
                r.rescueWaiters.append(continuation)
                r.urgent = true
                s.rings[session] = r
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// The job's last block is spooled; its EOS follows once the ring is drained.
    func commit(_ session: SessionKey, totals: JobTotals) {
        state.update { s in s.rings[session]?.totals = totals }
        notify(.committed(session))
    }

    /// The job's failure, if the despooler met one.
    func failure(of session: SessionKey) -> SpoolError? {
        state.withLock { $0.rings[session]?.failure }
    }

    /// No more jobs will open; the despooler stops once every ring is gone.
    func close() {
        state.update { $0.closed = true }
    }

    // MARK: despooler side

    /// Blocks until there is work; nil once closed and every job is done. One job has the turn at a time. A job
    /// gets a turn only when what it has spooled keeps the drive streaming for a burst: `despoolStartBlocks` blocks
    /// (or the whole rest of the job once it committed, or sooner when its producer waits for space). It keeps
    /// the turn while it has spooled blocks, up to `turnBlocks` when another job is eligible; a job that runs dry
    /// mid-turn (its client is slower than the drive) loses the turn instead of trickling blocks to the drive, and
    /// must be eligible again for its next one. When no job is eligible the despooler says so once (`.pause`):
    /// the drive's stop that follows is planned, between bursts, not an underrun.
    func nextWork() -> Work? {
        let turnBlocks = configuration.turnBlocks
        var turnEvent: SessionKey?
        let work = state.wait { s -> Work?? in
            func eligible(_ r: Ring) -> Bool {
                guard r.hasWork else { return false }
                let startBlocks = configuration.despoolStartBlocks ?? max(1, r.capacity / 2)
                return r.totals != nil || r.urgent || !r.rescue.isEmpty || r.filled >= startBlocks
                    || !s.spaceWaiters.isEmpty
            }
            var pick: SessionKey?
            if let t = s.turn, s.turnOpen {
                if let r = s.rings[t], r.hasWork {
                    let othersWaiting = s.order.contains { $0 != t && s.rings[$0].map(eligible) == true }
                    if s.turnCount < turnBlocks || !othersWaiting { pick = t }
                } else {
                    s.turnOpen = false  // ran dry mid-turn: no trickling; it waits until it is eligible again
                }
            }
            if pick == nil {
                let start = s.turn.flatMap { t in s.order.firstIndex(of: t).map { $0 + 1 } } ?? 0
                let n = s.order.count
                for k in 0..<n {
                    let key = s.order[(start + k) % max(n, 1)]
                    if let r = s.rings[key], eligible(r) {
                        pick = key
                        break
                    }
                }
                if let p = pick {
                    s.turn = p
                    s.turnCount = 0
                    s.turnOpen = true
                    turnEvent = p
                }
            }
            if pick == nil && !s.paused {
                s.paused = true
                return .some(.pause)
            }
            guard let key = pick, var r = s.rings[key] else {
                if s.closed && s.rings.isEmpty { return .some(nil) }
                return nil
            }
            defer { s.rings[key] = r }
            s.paused = false
            if !r.began {
                r.began = true
                return .some(.begin(r.job))
            }
            s.turnCount += 1
            if r.filled > 0 {
                var endAfter: JobTotals?
                if r.filled == 1 && r.rescue.isEmpty, let t = r.totals {
                    endAfter = t
                    r.endSent = true
                }
                return .some(
                    .slot(
                        key, fd: r.fd, path: r.path, offset: Int64(r.head) * Int64(configuration.slotSize),
                        length: r.lengths[r.head], endAfter: endAfter, memory: r.memory[r.head]))
            }
            if !r.rescue.isEmpty {
                return .some(.rescue(key, r.rescue.removeFirst()))
            }
            r.endSent = true
            return .some(.end(key, r.totals ?? JobTotals(files: 0, bytes: 0)))
        }
        if let t = turnEvent { notify(.turn(t)) }
        if case .end(let key, _)? = work { finishIfDone(key) }
        return work
    }

    /// The head slot of the job has been read and handed to the writer: free it.
    func consumed(_ session: SessionKey) {
        let (ready, drained) = state.update {
            s -> ([CheckedContinuation<Void, any Error>], [CheckedContinuation<Void, Never>]) in
            guard var r = s.rings[session] else { return ([], []) }
            if let buffer = r.memory.removeValue(forKey: r.head) {
                s.memoryHeld -= 1
                s.memoryFree.append(buffer)
            }
            r.head = (r.head + 1) % r.capacity
            r.filled -= 1
            r.despooledCount += 1
            notify(.despooled(session, block: r.despooledCount - 1))
            s.used -= 1
            var drained: [CheckedContinuation<Void, Never>] = []
            if r.drained {
                drained = r.drainWaiters
                r.drainWaiters = []
                r.urgent = false
            }
            s.rings[session] = r
            return (Self.grant(&s), drained)
        }
        for c in ready { c.resume() }
        for c in drained { c.resume() }
        finishIfDone(session)
    }

    /// A rescued block has been copied to the writer.
    func rescueConsumed(_ session: SessionKey) {
        let waiters = state.update { s -> [CheckedContinuation<Void, Never>] in
            guard var r = s.rings[session], r.rescue.isEmpty else { return [] }
            let w = r.rescueWaiters + (r.filled == 0 ? r.drainWaiters : [])
            r.rescueWaiters = []
            if r.filled == 0 { r.drainWaiters = [] }
            r.urgent = false
            s.rings[session] = r
            return w
        }
        for w in waiters { w.resume() }
    }

    /// The despooler could not read a block back: the job's spooled data is dropped and the job fails.
    func readFailed(_ session: SessionKey, _ error: SystemError) -> JobTotals? {
        let (ready, drained, began) = state.update {
            s -> ([CheckedContinuation<Void, any Error>], [CheckedContinuation<Void, Never>], Bool) in
            guard var r = s.rings[session] else { return ([], [], false) }
            r.failure = SpoolError(.readFailed, job: r.job.name, path: r.path, underlying: error)
            s.used -= r.filled
            r.filled = 0
            _ = Self.release(r.memory, &s)
            r.memory = [:]
            let drained = r.drainWaiters + r.rescueWaiters
            r.drainWaiters = []
            r.rescueWaiters = []
            r.rescue = []
            let began = r.began && !r.endSent
            r.endSent = true
            r.totals = r.totals ?? JobTotals(files: 0, bytes: 0)
            s.rings[session] = r
            return (Self.grant(&s), drained, began)
        }
        for c in ready { c.resume() }
        for c in drained { c.resume() }
        return began ? JobTotals(files: 0, bytes: 0, status: "E", errors: 1) : nil
    }

    /// Removes a ring whose end went to the writer and whose blocks are all consumed; deletes its file.
    private func finishIfDone(_ session: SessionKey) {
        let (gone, unused) = state.update { s -> (Ring?, [BlockBuffer]) in
            guard let r = s.rings[session], r.endSent, r.filled == 0, r.rescue.isEmpty else { return (nil, []) }
            s.rings[session] = nil
            s.order.removeAll { $0 == session }
            s.used -= r.reserved
            if s.turn == session {
                s.turn = nil
                s.turnOpen = false
            }
            s.removing[session] = []
            return (r, Self.release(r.memory, &s))
        }
        _ = unused  // the last job's free spool memory is released here, outside the lock
        if let r = gone { remove(r) }
    }

    /// Removes the ring's file on the removal queue; `removed(session)` waits for it. (The ring has already left
    /// `rings`, under the lock, with its `removing` entry set.)
    private func remove(_ r: Ring) {
        remover.async { [self] in
            configuration.io.remove(r.fd, r.path)
            let (waiters, all) = state.update { s -> ([CheckedContinuation<Void, Never>], [CheckedContinuation<Void, Never>]) in
                let waiters = s.removing.removeValue(forKey: r.job.session) ?? []
                guard s.removing.isEmpty else { return (waiters, []) }
                defer { s.removedAllWaiters = [] }
                return (waiters, s.removedAllWaiters)
            }
            spaceFreed()
            for w in waiters + all { w.resume() }
        }
    }

    /// Suspends until the job's spool file is gone from the disk (at once if it is not being removed).
    func removed(_ session: SessionKey) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.update { s -> Bool in
                guard s.removing[session] != nil else { return true }
                s.removing[session, default: []].append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Suspends until no spool file is being removed.
    func allRemoved() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.update { s -> Bool in
                guard !s.removing.isEmpty else { return true }
                s.removedAllWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Drops a job that is abandoned before commit (cancel): its spool file and budget go away.
    func discard(_ session: SessionKey) {
        let (gone, ready, unused) = state.update {
            s -> (Ring?, [CheckedContinuation<Void, any Error>], [BlockBuffer]) in
            guard var r = s.rings[session] else { return (nil, [], []) }
            if r.began && !r.endSent {
                // already streaming: it ends (status A) with what it has spooled
                if r.totals == nil { r.totals = JobTotals(files: 0, bytes: 0, status: "A", errors: 1) }
                s.rings[session] = r
                return (nil, [], [])
            }
            s.rings[session] = nil
            s.order.removeAll { $0 == session }
            s.used -= r.filled + r.reserved
            s.removing[session] = []
            let unused = Self.release(r.memory, &s)
            r.memory = [:]
            return (r, Self.grant(&s), unused)
        }
        _ = unused
        if let r = gone { remove(r) }
        for c in ready { c.resume() }
    }
}
