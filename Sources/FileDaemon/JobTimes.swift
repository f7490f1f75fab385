import Glibc
import Synchronization

/// Where a running job's time goes, summed over its threads (nanoseconds): reading files, digests, compression,
/// and waiting for the network (sending to the SD, or the reader held back because the network is behind).
/// Lock-free: the data path adds to it per chunk; `status` reads it.
final class JobTimes: Sendable {
    enum Part: Int, CaseIterable, Sendable {
        case reading, digest, compression, network

        var label: String {
            switch self {
            case .reading: return "reading"
            case .digest: return "digest"
            case .compression: return "compression"
            case .network: return "network"
            }
        }
    }

    private let reading = Atomic<Int64>(0)
    private let digest = Atomic<Int64>(0)
    private let compression = Atomic<Int64>(0)
    private let network = Atomic<Int64>(0)

    func add(_ part: Part, nanoseconds: Int64) {
        switch part {
        case .reading: reading.add(nanoseconds, ordering: .relaxed)
        case .digest: digest.add(nanoseconds, ordering: .relaxed)
        case .compression: compression.add(nanoseconds, ordering: .relaxed)
        case .network: network.add(nanoseconds, ordering: .relaxed)
        }
    }

    func nanoseconds(_ part: Part) -> Int64 {
        switch part {
        case .reading: return reading.load(ordering: .relaxed)
        case .digest: return digest.load(ordering: .relaxed)
        case .compression: return compression.load(ordering: .relaxed)
        case .network: return network.load(ordering: .relaxed)
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

    /// `reading 1.2 s, digest 0.8 s, compression 0.0 s, network 3.4 s`.
    var summary: String {
        Part.allCases.map { part in
            let tenths = nanoseconds(part) / 100_000_000
            return "\(part.label) \(tenths / 10).\(tenths % 10) s"
        }.joined(separator: ", ")
    }
}
