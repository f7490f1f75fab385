#if canImport(Glibc)
import Glibc
#endif

/// The time source of a drive model. Drive code runs on its own thread and blocks, so this clock is synchronous:
/// `sleep(until:)` blocks the calling thread. Tests inject a clock that moves only when told (or that jumps to
/// every deadline), so rated-speed behaviour is checked without sleeping.
public protocol DriveClock: Sendable {
    /// Nanoseconds on a monotonic scale (the origin is arbitrary).
    func now() -> UInt64
    /// Blocks the calling thread until `now() >= deadline`.
    func sleep(until deadline: UInt64)
}

/// `CLOCK_MONOTONIC` and `clock_nanosleep`.
public struct MonotonicDriveClock: DriveClock {
    public init() {}

    public func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        // EINTR: sleep again towards the same absolute deadline.
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
