import Changers
import Discovery
import Testing

/// Typed drives and changers from udev records; Archive Device references; changer drive elements by serial.
@Suite struct DeviceInventoryTests {
    @Test func drivesAndChangersAreGroupedByTheirSCSIDevice() {
        let inventory = DeviceInventory(records: VM.library.shuffled())
        #expect(inventory.drives.map(\.serial) == ["DRV00001", "DRV00002"])
        #expect(inventory.drives.map(\.tapeNode) == ["/dev/nst0", "/dev/nst1"])
        #expect(inventory.drives.map(\.genericNode) == ["/dev/sg1", "/dev/sg2"])
        #expect(inventory.drives.first?.idSerial == VM.naa(1))
        #expect(inventory.drives.first?.model == "ULT3580-TD6")
        #expect(inventory.drives.first?.scsiAddress == "0:0:0:1")
        #expect(inventory.changers.count == 1)
        let changer = inventory.changers[0]
        #expect(changer.serial == "LIB00001")
        #expect(changer.genericNode == "/dev/sg3" && changer.changerNode == "/dev/sch0")
        #expect(inventory.drive(atPath: "/dev/tape/by-id/scsi-DRV00002-nst")?.serial == "DRV00002")
        #expect(inventory.changer(atPath: "/dev/tape/by-id/scsi-\(VM.naa(3))-changer")?.serial == "LIB00001")
    }

    @Test func idSerialStandsInWhenThereIsNoUnitSerial() {
        let records = VM.drive(lun: 1, nst: 0, sg: 1).map { r -> UdevRecord in
            var r = r
            r.properties["ID_SCSI_SERIAL"] = nil
            return r
        }
        let drive = DeviceInventory(records: records).drives.first
        #expect(drive?.serial == VM.naa(1))
    }

    @Test(arguments: [
        ("/dev/tape/by-id/scsi-DRV00001-nst", DriveReference.serial("DRV00001")),
        ("/dev/tape/by-id/scsi-HU-1234-5-nst", .serial("HU-1234-5")),
        ("/dev/tape/by-id/scsi-DRV00001", .serial("DRV00001")),
        ("/dev/tape/by-id/scsi-LIB00001-sg", .serial("LIB00001")),
        ("/dev/nst0", .node("/dev/nst0")),
        ("/dev/tape/by-path/ip-127.0.0.1:3260-iscsi-iqn.2024-01.test.vtl:lib1-lun-1-nst", .node("/dev/tape/by-path/ip-127.0.0.1:3260-iscsi-iqn.2024-01.test.vtl:lib1-lun-1-nst")),
        ("/srv/capstan/drive0", .notADevice),
    ])
    func archiveDeviceReferences(_ path: String, _ expected: DriveReference) {
        #expect(DriveReference(archiveDevice: path) == expected)
    }

    func element(_ address: UInt16, serial: String?, prefix: String? = nil) -> ChangerElement {
        ChangerElement(kind: .drive, address: address, barcode: nil, driveSerial: serial, full: false, driveSerialPrefix: prefix)
    }

    @Test func driveElementsMatchByDVCIDAndTgtsTruncatedPrefix() {
        let drives = DeviceInventory(records: VM.library).drives.reversed()  // order must not matter
        // tgt: the last drive's DVCID is cut 8 bytes short, leaving "DR"
        let matches = ChangerDriveMatching.match(
            elements: [element(501, serial: nil, prefix: "DR"), element(500, serial: "DRV00001")], drives: Array(drives))
        #expect(matches.map(\.driveNumber) == [0, 1])
        #expect(matches.map(\.drive.serial) == ["DRV00001", "DRV00002"])
        #expect(matches.map(\.method) == ["dvcid", "dvcid-prefix"])
    }

    @Test func anAmbiguousPrefixMatchesNothing() {
        let drives = DeviceInventory(records: VM.library).drives
        let matches = ChangerDriveMatching.match(
            elements: [element(500, serial: nil, prefix: "DR"), element(501, serial: nil, prefix: "DR")], drives: drives)
        #expect(matches.isEmpty)
    }

    @Test func dvcidInT10VendorFormAndVPDFallback() {
        var drives = DeviceInventory(records: VM.library).drives
        // a drive whose udev serial is only the NAA id: the VPD 80h probe supplies the unit serial
        drives[1].serial = VM.naa(2)
        let matches = ChangerDriveMatching.match(
            elements: [element(500, serial: "IBM     ULT3580-TD6     DRV00001"), element(501, serial: "DRV00002")],
            drives: drives, unitSerial: { $0.tapeNode == "/dev/nst1" ? "DRV00002" : nil })
        #expect(matches.map(\.drive.tapeNode) == ["/dev/nst0", "/dev/nst1"])
        #expect(matches.map(\.method) == ["dvcid", "vpd80"])
        // never by position: a DVCID that names no present drive leaves the element unmatched
        let none = ChangerDriveMatching.match(elements: [element(500, serial: "OTHER")], drives: drives)
        #expect(none.isEmpty)
    }
}
