import CapstanConfig
import Discovery
import Foundation
import Logging
@testable import StorageDaemon
import Testing

/// The Storage daemon's side of hotplug, driven by udev records and events built by hand in the shape the harness
/// VM showed (the VM tier, scripts/devices/guest-sd.sh, does it with real iSCSI logouts).
@Suite struct DriveHotplugWithHandMadeUdevEventsTests {
    static let configurationText = """
        Storage { Name = hotplug-sd; WorkingDirectory = /tmp; Pid Directory = /tmp }
        Director { Name = dir; Password = x }
        Messages { Name = Standard }
        Device {
          Name = Drive-1; Media Type = LTO-6; Device Type = Tape; Archive Device = /dev/tape/by-id/scsi-DRV00001-nst
        }
        Device { Name = Drive-2; Media Type = LTO-6; Device Type = Tape; Archive Device = /dev/nst1 }
        Device { Name = Disk; Media Type = File; Device Type = File; Archive Device = /tmp }
        Device { Name = ShmDisk; Media Type = File; Device Type = File; Archive Device = /dev/shm/capstan-volumes }
        Device { Name = ShmTape; Media Type = VT; Device Type = VTape; Archive Device = /dev/shm/capstan.vtape }
        """

    static let session = "/sys/devices/platform/host0/session1/target0:0:0"

    /// The no-rewind st node and the sg node of drive `serial` on LUN `lun`.
    static func drive(_ serial: String, lun: Int, nst: Int, sg: Int) -> [UdevRecord] {
        let parent = "\(session)/0:0:0:\(lun)"
        func record(_ subsystem: String, _ name: String, links: [String]) -> UdevRecord {
            UdevRecord(
                subsystem: subsystem, sysname: name, syspath: "\(parent)/\(subsystem)/\(name)", devnode: "/dev/\(name)",
                properties: [
                    "SUBSYSTEM": subsystem, "DEVNAME": "/dev/\(name)", "ID_SCSI_SERIAL": serial,
                    "DEVLINKS": links.joined(separator: " "),
                ],
                scsiDevice: parent, scsiAttributes: ["vendor": "IBM", "model": "ULT3580-TD6", "type": "1"])
        }
        return [
            record("scsi_tape", "nst\(nst)", links: ["/dev/tape/by-id/scsi-\(serial)-nst"]),
            record("scsi_generic", "sg\(sg)", links: ["/dev/tape/by-id/scsi-\(serial)-sg"]),
        ]
    }

    func manager() throws -> (VolumeManager, JobRegistry, StorageDaemonConfiguration) {
        let loaded = ConfigLoader.load(text: Self.configurationText, name: "hotplug-sd.conf", kind: .storage).0
        let configuration = try #require(StorageDaemonConfiguration(loaded))
        let jobs = JobRegistry(startedAt: Date())
        return (VolumeManager(configuration: configuration, jobs: jobs, logger: Logger(label: "test")), jobs, configuration)
    }

    func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<200 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Tape Devices are followed through udev; File and VTape Devices are not, even with a path under /dev/.
    @Test func onlyStDrivesAreFollowed() throws {
        let (_, _, configuration) = try manager()
        #expect(ConfiguredDrive.all(in: configuration).map(\.name) == ["Drive-1", "Drive-2"])
    }

    @Test func aDriveAbsentAtStartIsOfflineUntilItAppears() async throws {
        let (volumes, jobs, configuration) = try manager()
        let drive1 = Self.drive("DRV00001", lun: 1, nst: 0, sg: 1)
        let registry = DeviceRegistry(devices: ConfiguredDrive.all(in: configuration), records: drive1)
        let following = Task { await volumes.follow(registry, jobs: jobs) }
        defer { following.cancel() }
        // Drive-2 names /dev/nst1, which nothing shows yet: offline, and the reason says which node.
        #expect(await eventually { await volumes.offlineDevices()["Drive-2"]?.contains("/dev/nst1") == true })
        #expect(await volumes.offlineDevices()["Drive-1"] == nil)
        #expect(await volumes.offlineDevices()["Disk"] == nil)
        for record in Self.drive("DRV00002", lun: 2, nst: 1, sg: 2) {
            await registry.apply(UdevEvent(action: .add, record: record))
        }
        #expect(await eventually { await volumes.offlineDevices().isEmpty })
        #expect(await volumes.runtimeFor(device: "Drive-2")?.driveSerial == "DRV00002")
    }

    @Test func aDriveThatGoesAwayIsOfflineAndComesBackOnItsNewNodeBySerial() async throws {
        let (volumes, jobs, configuration) = try manager()
        let drive1 = Self.drive("DRV00001", lun: 1, nst: 0, sg: 1)
        let drive2 = Self.drive("DRV00002", lun: 2, nst: 1, sg: 2)
        let registry = DeviceRegistry(devices: ConfiguredDrive.all(in: configuration), records: drive1 + drive2)
        let following = Task { await volumes.follow(registry, jobs: jobs) }
        defer { following.cancel() }
        let runtime = try #require(await volumes.runtimeFor(device: "Drive-2"))
        #expect(await eventually { await runtime.driveSerial == "DRV00002" })
        #expect(await runtime.driveNode == "/dev/nst1")
        #expect(await runtime.genericNode() == "/dev/sg2")

        for record in drive2 { await registry.apply(UdevEvent(action: .remove, record: record)) }
        #expect(await eventually { await volumes.offlineDevices()["Drive-2"] != nil })
        let reason = try #require(await volumes.offlineDevices()["Drive-2"])
        #expect(reason.contains("DRV00002") && reason.contains("Drive-2"))
        #expect(await volumes.offlineDevices()["Drive-1"] == nil)

        // Plugged back, it gets other nodes (nst4, sg7): the Device follows its serial, not /dev/nst1.
        for record in Self.drive("DRV00002", lun: 2, nst: 4, sg: 7) {
            await registry.apply(UdevEvent(action: .add, record: record))
        }
        #expect(await eventually { await volumes.offlineDevices().isEmpty })
        #expect(await runtime.driveNode == "/dev/nst4")
        #expect(await runtime.genericNode() == "/dev/sg7")
    }

    @Test func statusShowsTheOfflineReasonUnderTheDevice() throws {
        let (_, _, configuration) = try manager()
        let device = try #require(configuration.devices.first { $0.name == "Drive-2" })
        var state = StatusReport.DeviceState(device: device)
        state.offlineReason = "drive with serial DRV00002 of device \"Drive-2\" is not present"
        let report = StatusReport(daemonName: "hotplug-sd", started: Date(), jobsRun: 0, running: [], devices: [state])
        let lines = report.lines
        let deviceLine = try #require(lines.firstIndex { $0.contains("\"Drive-2\" (/dev/nst1) is not open") })
        #expect(lines[deviceLine + 1] == "   OFFLINE: drive with serial DRV00002 of device \"Drive-2\" is not present\n")
    }
}
