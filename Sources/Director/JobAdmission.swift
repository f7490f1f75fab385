/// Which queued jobs may start now, decided as bacula-dir 9.6's job queue decides it. A pure value: the
/// scheduler feeds it jobs that arrive and end, and starts the jobs it names.
///
/// The rules (Bacula's, for the Job resource's `Priority` and `Allow Mixed Priority`):
/// - Waiting jobs are ordered by Priority (the lower number first), in arrival order among equals.
/// - The priority that may start is that of the longest-running job, or, when nothing runs, that of the first
///   waiting job. Jobs of another priority wait ("is waiting for higher priority jobs to finish"), and so does
///   every job queued behind them — except a job of a *better* priority that has `Allow Mixed Priority = yes`
///   while every running job has it too.
/// - A job of the right priority starts when every Maximum Concurrent Jobs gate it needs (Director, Job, Client,
///   Storage) has a free place, taking one place in each; when one is full the job is passed over and the next
///   one is tried, so a busy client does not hold back the jobs of other clients.
public struct JobAdmission: Sendable {
    /// A Maximum Concurrent Jobs limit a job takes one place in.
    public struct Gate: Hashable, Sendable {
        public enum Kind: Sendable, Hashable { case director, job, client, storage }
        public var kind: Kind
        public var name: String
        /// At most this many jobs hold the gate (a limit below 1 counts as 1).
        public var limit: Int

        public init(_ kind: Kind, _ name: String, limit: Int) {
            self.kind = kind
            self.name = name
            self.limit = limit
        }

        var key: String { "\(kind):\(name)" }
    }

    /// A job as the queue sees it.
    public struct Job: Sendable {
        public var id: Int64
        public var priority: Int
        public var allowMixedPriority: Bool
        public var gates: [Gate]

        public init(id: Int64, priority: Int, allowMixedPriority: Bool = false, gates: [Gate]) {
            self.id = id
            self.priority = priority
            self.allowMixedPriority = allowMixedPriority
            self.gates = gates
        }
    }

    /// Why a job still waits, as bacula-dir's job status letter: `C` waiting execution (the Director's limit),
    /// `p` higher priority jobs, `j` the Job's limit, `c` the Client's, `s` the Storage's.
    public enum Wait: Character, Sendable {
        case execution = "C", priority = "p", job = "j", client = "c", storage = "s"
    }

    private var waiting: [Job] = []
    private var running: [Job] = []
    private var held: [String: Int] = [:]

    public init() {}

    /// Queues a job; returns the jobs that start now (possibly this one), in start order.
    public mutating func enqueue(_ job: Job) -> [Int64] {
        let place = waiting.firstIndex { $0.priority > job.priority } ?? waiting.endIndex
        waiting.insert(job, at: place)
        return startWhatCan()
    }

    /// A running job ended: frees its places; returns the jobs that start now.
    public mutating func finish(_ id: Int64) -> [Int64] {
        guard let index = running.firstIndex(where: { $0.id == id }) else { return [] }
        for gate in running.remove(at: index).gates { held[gate.key, default: 0] -= 1 }
        return startWhatCan()
    }

    /// A waiting job was cancelled: takes it out of the queue; returns the jobs that start now (one that waited
    /// behind it for priority may go). A job that is not waiting changes nothing.
    public mutating func withdraw(_ id: Int64) -> [Int64] {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return [] }
        waiting.remove(at: index)
        return startWhatCan()
    }

    /// Why each waiting job waits.
    public var waits: [Int64: Wait] {
        var copy = self
        return copy.scan()
    }

    /// The jobs holding places, in start order.
    public var runningIDs: [Int64] { running.map(\.id) }

    private mutating func startWhatCan() -> [Int64] {
        let before = Set(running.map(\.id))
        _ = scan()
        return running.map(\.id).filter { !before.contains($0) }
    }

    /// One pass over the queue by the rules above: jobs that fit move to `running`; returns why each job left
    /// waiting waits.
    private mutating func scan() -> [Int64: Wait] {
        guard let first = waiting.first else { return [:] }
        let wanted = running.first?.priority ?? first.priority
        let runningAllowMix = !running.isEmpty && running.allSatisfy(\.allowMixedPriority)
        var reasons: [Int64: Wait] = [:]
        var index = 0
        while index < waiting.count {
            let job = waiting[index]
            let mayMix = job.priority < wanted && job.allowMixedPriority && runningAllowMix
            guard job.priority == wanted || mayMix else {
                for behind in waiting[index...] { reasons[behind.id] = .priority }
                break
            }
            if let full = job.gates.first(where: { held[$0.key, default: 0] >= max($0.limit, 1) }) {
                reasons[job.id] = Self.wait(for: full.kind)
                index += 1
                continue
            }
            for gate in job.gates { held[gate.key, default: 0] += 1 }
            running.append(waiting.remove(at: index))
        }
        return reasons
    }

    private static func wait(for kind: Gate.Kind) -> Wait {
        switch kind {
        case .director: .execution
        case .job: .job
        case .client: .client
        case .storage: .storage
        }
    }
}
