import CUdev
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Add and remove events of tape drives, changers and sg nodes from udev's netlink socket (events udevd has
/// finished processing, so links and properties are in place).
///
/// The monitor's socket is non-blocking and read by a dispatch source on its own serial queue, never on the Swift
/// concurrency pool; libudev is touched only on that queue. Events come out of `events`, in order.
public final class UdevMonitor: @unchecked Sendable {  // libudev state is confined to `queue`
    /// A failure to set up the monitor.
    public struct SetupError: Error, Equatable, Sendable, CustomStringConvertible {
        public var step: String
        public var description: String { "udev monitor: \(step) failed (is udevd running and /run/udev present?)" }
    }

    public let events: AsyncStream<UdevEvent>
    private let continuation: AsyncStream<UdevEvent>.Continuation
    private let queue = DispatchQueue(label: "capstan.udev.monitor")
    private let udev: OpaquePointer
    private let monitor: OpaquePointer
    private let source: DispatchSourceRead

    /// Starts listening for `subsystems` (by default those of tape drives and changers). Events that happen
    /// after this returns are delivered; enumerate after starting the monitor to miss none.
    public init(subsystems: [String] = UdevEnumeration.tapeSubsystems) throws {
        guard let udev = udev_new() else { throw SetupError(step: "udev_new") }
        guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
            udev_unref(udev)
            throw SetupError(step: "udev_monitor_new_from_netlink")
        }
        for subsystem in subsystems { udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nil) }
        _ = udev_monitor_set_receive_buffer_size(monitor, 4 << 20)  // bursts of events on login/logout
        guard udev_monitor_enable_receiving(monitor) >= 0 else {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            throw SetupError(step: "udev_monitor_enable_receiving")
        }
        let fd = udev_monitor_get_fd(monitor)
        self.udev = udev
        self.monitor = monitor
        (events, continuation) = AsyncStream.makeStream(of: UdevEvent.self, bufferingPolicy: .unbounded)
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in self.drain() }
        continuation.onTermination = { [weak self] _ in self?.stop() }
        source.activate()
    }

    deinit {
        source.cancel()
        queue.sync {}
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    /// Stops delivering events and finishes the stream.
    public func stop() {
        source.cancel()
        continuation.finish()
    }

    /// Reads every queued device (the socket is non-blocking: nil means drained).
    private func drain() {
        while let device = udev_monitor_receive_device(monitor) {
            defer { udev_device_unref(device) }
            let action = udev_device_get_action(device).map { String(cString: $0) } ?? ""
            continuation.yield(UdevEvent(action: UdevEvent.Action(rawValue: action) ?? .other, record: UdevRecord(device)))
        }
    }
}
