import Glibc
import Synchronization

/// Where a running job's time goes, summed over its threads (nanoseconds). A backup: reading files, digests,
/// compression, and waiting for the network (sending to the SD, or the reader held back because the network is
/// behind). A restore (`isRestore`): the writer waiting for records from the SD (network) and restoring them
/// (writing: decompression, `pwrite`, owners and times). Lock-free: the data path adds to it per chunk; `status`
/// reads it.
final class JobTimes: Sendable {
    enum Part: Int, CaseIterable, Sendable {
        case reading, digest, compression, network, writing

        var label: String {
            switch self {
            case .reading: return "reading"
            case .digest: return "digest"
            case .compression: return "compression"
            case .network: return "network"
            case .writing: return "writing"
            }
        }
    }

    private let reading = Atomic<Int64>(0)
    private let digest = Atomic<Int64>(0)
    private let compression = Atomic<Int64>(0)
    private let network = Atomic<Int64>(0)
    private let writing = Atomic<Int64>(0)
    private let restore = Atomic<Bool>(false)

    /// Set by a restore: `summary` then shows its parts.
    var isRestore: Bool {
        get { restore.load(ordering: .relaxed) }
        set { restore.store(newValue, ordering: .relaxed) }
    }

    func add(_ part: Part, nanoseconds: Int64) {
        switch part {
        case .reading: reading.add(nanoseconds, ordering: .relaxed)
        case .digest: digest.add(nanoseconds, ordering: .relaxed)
        case .compression: compression.add(nanoseconds, ordering: .relaxed)
        case .network: network.add(nanoseconds, ordering: .relaxed)
        case .writing: writing.add(nanoseconds, ordering: .relaxed)
        }
    }

    func nanoseconds(_ part: Part) -> Int64 {
        switch part {
        case .reading: return reading.load(ordering: .relaxed)
        case .digest: return digest.load(ordering: .relaxed)
        case .compression: return compression.load(ordering: .relaxed)
        case .network: return network.load(ordering: .relaxed)
        case .writing: return writing.load(ordering: .relaxed)
        }
    }

    /// Runs `body` and adds its duration to `part`.
    @inline(__always)
    func measure<R>(_ part: Part, _ body: () throws -> R) rethrows -> R {
        let start = Self.now()
        defer { add(part, nanoseconds: Self.now() - start) }
        return try body()
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// `reading 1.2 s, digest 0.8 s, compression 0.0 s, network 3.4 s`; a restore's `network 3.4 s, writing 1.2 s`.
    var summary: String {
        let parts: [Part] = isRestore ? [.network, .writing] : [.reading, .digest, .compression, .network]
        return parts.map { part in
            let tenths = nanoseconds(part) / 100_000_000
            return "\(part.label) \(tenths / 10).\(tenths % 10) s"
        }.joined(separator: ", ")
    }
}
