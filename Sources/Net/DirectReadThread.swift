import CCapstanLinux
import Foundation

/// A task executor with one thread of its own, on which a `DirectStreamReader` waits for its socket in a blocking
/// `poll(2)`: with the reading task preferring this executor (`withTaskExecutorPreference`), a wait for the socket is
/// one sleep and one wake-up of this thread — where the event loop's way (ask SwiftNIO for a read and suspend) takes
/// a wake-up of the loop, its socket read and a wake-up of a pool thread to resume the task. Blocking holds up
/// nothing else: the thread runs only the jobs of the task (or tasks) that prefer it.
///
/// Jobs run in the order they come. `finish()` ends the thread once its queue is empty; a job that comes after that
/// (none should: the task leaves the preference before it finishes the thread) goes to the global executor.
public final class DirectReadThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var finishing = false
    private var ended = false
    private var joiners: [CheckedContinuation<Void, Never>] = []
    /// The thread, until it ends (it holds this executor until then: `finish()` must be called).
    private var thread: Thread?

    /// Starts the thread, named `name` (at most 15 bytes: as `ps -L`, `top -H` and `perf` show it).
    public init(name: String) {
        let thread = Thread {
            capstan_name_thread(name)
            self.run()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Whether the calling code runs on this executor's thread (where a blocking wait is allowed).
    public var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return thread != nil && Thread.current === thread
    }

    private func run() {
        while let job = next() { job.runSynchronously(on: asUnownedTaskExecutor()) }
        condition.lock()
        let waiting = joiners
        joiners = []
        thread = nil
        condition.unlock()
        for joiner in waiting { joiner.resume() }
    }

    /// The next job, waiting for one; nil once finishing and no job is left (the thread then ends).
    private func next() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if head < jobs.count {
                let job = jobs[head]
                head += 1
                if head == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    head = 0
                }
                return job
            }
            if finishing {
                ended = true
                return nil
            }
            condition.wait()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        let accepted = !ended
        if accepted {
            jobs.append(unowned)
            condition.signal()
        }
        condition.unlock()
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Lets the thread end once its queue is empty, and suspends until it has. Call it from outside the preference.
    public func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            finishing = true
            let over = ended && thread == nil
            if !over { joiners.append(continuation) }
            condition.signal()
            condition.unlock()
            if over { continuation.resume() }
        }
    }
}
