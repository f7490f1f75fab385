import CapstanConfig

/// A Device of the configuration that names a tape drive.
public struct ConfiguredDrive: Equatable, Sendable {
    /// The Device resource's name.
    public var name: String
    public var archiveDevice: String
    /// The Autochanger resource that lists it, if any.
    public var autochanger: String?

    public init(name: String, archiveDevice: String, autochanger: String? = nil) {
        self.name = name
        self.archiveDevice = archiveDevice
        self.autochanger = autochanger
    }

    /// The tape-drive Devices of a Storage daemon configuration: those whose Archive Device is under /dev/ and whose
    /// Device Type, if given, is Tape. File and virtual-tape Devices are left out, wherever their path is (a File
    /// device's volumes on /dev/shm are not a drive to look for in udev).
    public static func all(in configuration: StorageDaemonConfiguration) -> [ConfiguredDrive] {
        configuration.devices.compactMap { device in
            guard DriveReference(archiveDevice: device.archiveDevice) != .notADevice,
                device.deviceType.map({ $0.lowercased() == "tape" }) ?? true
            else { return nil }
            let changer = configuration.autochangers.first { $0.devices.contains(device.name) }?.name
            return ConfiguredDrive(name: device.name, archiveDevice: device.archiveDevice, autochanger: changer)
        }
    }
}

/// Where a configured Device stands: the serial it is tracked by and the drive udev shows for it now.
public struct DriveBinding: Equatable, Sendable {
    public var device: ConfiguredDrive
    /// The serial the Device is tracked by; nil while a `/dev/nstN` Archive Device has never been seen.
    public var serial: String?
    /// The drive as udev shows it now; nil when it is absent or has no st node yet (the Device is offline).
    public var drive: DriveNode?

    public var isPresent: Bool { drive != nil }
}

/// What the registry tells its listeners.
public enum RegistryEvent: Equatable, Sendable {
    /// A configured drive is present (again), possibly on another st node than before.
    case appeared(DriveBinding)
    /// A configured drive is gone: its Device is offline; a job writing to it must fail.
    case disappeared(DriveBinding)
}

/// Matches configured Devices to the drives udev shows, by serial, and follows hotplug.
///
/// - An Archive Device `/dev/tape/by-id/scsi-<serial>-nst` is tracked by that serial from the start.
/// - An Archive Device `/dev/nstN` (or another node or link) is looked up in udev when first present and from then
///   on tracked by the serial found, not by the node: after a re-plug the drive may come back as another nstN.
/// - udev add/remove events update the picture; each configured drive that comes or goes is published to every
///   `events()` stream.
public actor DeviceRegistry {
    private var records: [String: UdevRecord] = [:]
    private var current: [DriveBinding]
    private var inventory: DeviceInventory
    private var listeners: [Int: AsyncStream<RegistryEvent>.Continuation] = [:]
    private var nextListener = 0

    /// Starts from a snapshot of udev records (as `UdevEnumeration.devices` returns them).
    public init(devices: [ConfiguredDrive], records: [UdevRecord]) {
        for r in records { self.records[r.syspath] = r }
        inventory = DeviceInventory(records: records)
        current = devices.map { DriveBinding(device: $0, serial: nil, drive: nil) }
        current = Self.resolve(current, in: inventory)
    }

    /// The present state of every configured drive.
    public func bindings() -> [DriveBinding] { current }

    /// The binding of the Device called `name`.
    public func binding(device name: String) -> DriveBinding? { current.first { $0.device.name == name } }

    /// What udev shows now (drives and changers, configured or not).
    public func devices() -> DeviceInventory { inventory }

    /// A stream of the events from now on. It ends when the caller stops iterating.
    public func events() -> AsyncStream<RegistryEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: RegistryEvent.self, bufferingPolicy: .unbounded)
        let id = nextListener
        nextListener += 1
        listeners[id] = continuation
        continuation.onTermination = { [weak self] _ in Task { await self?.removeListener(id) } }
        return stream
    }

    private func removeListener(_ id: Int) { listeners[id] = nil }

    /// Takes one udev event; returns (and publishes) what changed for configured drives.
    @discardableResult
    public func apply(_ event: UdevEvent) -> [RegistryEvent] {
        switch event.action {
        case .remove: records[event.record.syspath] = nil
        case .add, .change, .bind:
            guard event.record.scsiDevice != nil || UdevRecord.parentFromSyspath(event.record.syspath) != nil else { return [] }
            records[event.record.syspath] = event.record
        case .unbind, .other: return []
        }
        inventory = DeviceInventory(records: Array(records.values))
        let next = Self.resolve(current, in: inventory)
        let changes = Self.changes(from: current, to: next)
        current = next
        for change in changes { for listener in listeners.values { listener.yield(change) } }
        return changes
    }

    /// Applies the monitor's events until it stops or the task is cancelled.
    public func follow(_ monitor: UdevMonitor) async {
        for await event in monitor.events {
            if Task.isCancelled { break }
            apply(event)
        }
    }

    /// Ends every event stream.
    public func finish() {
        for listener in listeners.values { listener.finish() }
        listeners = [:]
    }

    /// The bindings of `devices` in one snapshot (no events): what a one-shot tool needs.
    public static func resolved(devices: [ConfiguredDrive], inventory: DeviceInventory) -> [DriveBinding] {
        resolve(devices.map { DriveBinding(device: $0, serial: nil, drive: nil) }, in: inventory)
    }

    /// Learns serials where it can and looks every tracked serial up. Pure.
    static func resolve(_ bindings: [DriveBinding], in inventory: DeviceInventory) -> [DriveBinding] {
        bindings.map { binding in
            var b = binding
            if b.serial == nil {
                switch DriveReference(archiveDevice: b.device.archiveDevice) {
                case .serial(let serial): b.serial = serial
                case .node(let path): b.serial = inventory.drive(atPath: path)?.serial
                case .notADevice: break
                }
            }
            // usable = its no-rewind st node is there (the sg node may come a moment later and is optional)
            b.drive = b.serial.flatMap { inventory.drive(serial: $0) }.flatMap { $0.tapeNode == nil ? nil : $0 }
            return b
        }
    }

    /// Appeared/disappeared events between two states of the same Devices. Pure.
    static func changes(from old: [DriveBinding], to new: [DriveBinding]) -> [RegistryEvent] {
        zip(old, new).compactMap { before, after in
            switch (before.drive, after.drive) {
            case (nil, .some): return .appeared(after)
            case (.some, nil): return .disappeared(after)
            case (.some(let a), .some(let b)) where a.tapeNode != b.tapeNode:
                return .appeared(after)
            default: return nil
            }
        }
    }
}

extension DeviceRegistry {
    /// A registry on what udev shows now, following udev events from then on (the monitor starts first, so
    /// nothing between the snapshot and the first event is lost). Cancel the returned task to stop following.
    public static func start(devices: [ConfiguredDrive]) throws -> (DeviceRegistry, Task<Void, Never>) {
        let monitor = try UdevMonitor()
        let registry = DeviceRegistry(devices: devices, records: UdevEnumeration.devices(subsystems: UdevEnumeration.tapeSubsystems))
        let task = Task {
            await withTaskCancellationHandler {
                await registry.follow(monitor)
            } onCancel: {
                monitor.stop()
            }
        }
        return (registry, task)
    }
}
