import Discovery
import Testing

/// Configured Devices matched to drives by serial, and followed through hotplug.
@Suite struct DeviceRegistryTests {
    let devices = [
        ConfiguredDrive(name: "Drive-A", archiveDevice: "/dev/tape/by-id/scsi-DRV00002-nst", autochanger: "Lib"),
        ConfiguredDrive(name: "Drive-B", archiveDevice: "/dev/nst0", autochanger: "Lib"),
        ConfiguredDrive(name: "Missing", archiveDevice: "/dev/tape/by-id/scsi-NOPE-nst"),
    ]

    @Test func startupResolvesByIdLinksAndNodesToSerials() async {
        let registry = DeviceRegistry(devices: devices, records: VM.library)
        let bindings = await registry.bindings()
        #expect(bindings.map(\.serial) == ["DRV00002", "DRV00001", "NOPE"])
        #expect(bindings.map { $0.drive?.tapeNode } == ["/dev/nst1", "/dev/nst0", nil])
        #expect(bindings.map(\.isPresent) == [true, true, false])
    }

    @Test func aReplugOnAnotherNodeKeepsTheDeviceOnItsSerial() async {
        let registry = DeviceRegistry(devices: devices, records: VM.library)
        let stream = await registry.events()
        // DRV00001 (configured as /dev/nst0) goes away; on remove udev no longer gives the parent
        for r in VM.drive(lun: 1, nst: 0, sg: 1) {
            var gone = r
            gone.scsiDevice = nil
            gone.scsiAttributes = [:]
            await registry.apply(UdevEvent(action: .remove, record: gone))
        }
        var b = await registry.binding(device: "Drive-B")
        #expect(b?.isPresent == false && b?.serial == "DRV00001")
        // another drive takes nst0 meanwhile: it is not Drive-B's
        let stranger = VM.drive(lun: 5, nst: 0, sg: 1).map { r -> UdevRecord in
            var r = r
            r.properties["ID_SCSI_SERIAL"] = "STRANGER"
            return r
        }
        for r in stranger { await registry.apply(UdevEvent(action: .add, record: r)) }
        b = await registry.binding(device: "Drive-B")
        #expect(b?.isPresent == false)
        // DRV00001 comes back as nst2/sg4 on LUN 4
        let back = VM.drive(lun: 1, nst: 2, sg: 4).map { r -> UdevRecord in
            var r = r
            r.syspath = r.syspath.replacingOccurrences(of: "0:0:0:1", with: "0:0:0:4")
            r.scsiDevice = r.scsiDevice?.replacingOccurrences(of: "0:0:0:1", with: "0:0:0:4")
            return r
        }
        for r in back { await registry.apply(UdevEvent(action: .add, record: r)) }
        b = await registry.binding(device: "Drive-B")
        #expect(b?.drive?.tapeNode == "/dev/nst2")
        #expect(b?.drive?.genericNode == "/dev/sg4")
        await registry.finish()
        var seen: [String] = []
        for await event in stream {
            switch event {
            case .appeared(let b): seen.append("+\(b.device.name)@\(b.drive?.tapeNode ?? "?")")
            case .disappeared(let b): seen.append("-\(b.device.name)")
            }
        }
        #expect(seen == ["-Drive-B", "+Drive-B@/dev/nst2"])
    }

    @Test func aNodeNeverSeenIsLearnedWhenItFirstAppears() async {
        let registry = DeviceRegistry(devices: [ConfiguredDrive(name: "Late", archiveDevice: "/dev/nst1")], records: [])
        #expect(await registry.binding(device: "Late")?.serial == nil)
        var changes: [RegistryEvent] = []
        for r in VM.drive(lun: 2, nst: 1, sg: 2) { changes += await registry.apply(UdevEvent(action: .add, record: r)) }
        #expect(await registry.binding(device: "Late")?.serial == "DRV00002")
        #expect(changes.count == 1)
    }

    @Test func unrelatedEventsPublishNothing() async {
        let registry = DeviceRegistry(devices: devices, records: VM.library)
        let changes = await registry.apply(UdevEvent(action: .remove, record: VM.controller))
        #expect(changes.isEmpty)
        #expect(await registry.devices().drives.count == 2)
    }
}
