import Discovery
import Testing

/// Choosing the drive or changer a tool acts on from udev's inventory alone (no configuration), on records shaped
/// like the VM library's.
@Suite struct DeviceChoiceTests {
    let library = DeviceInventory(records: VM.library)

    @Test func theOnlyChangerIsChosenAndNamedOnesAreFoundByNodeLinkOrSerial() throws {
        #expect(try DeviceChoice.changer(named: nil, in: library).get().serial == "LIB00001")
        for name in ["LIB00001", "/dev/sg3", "/dev/sch0", "/dev/tape/by-id/scsi-\(VM.naa(3))-changer"] {
            #expect(try DeviceChoice.changer(named: name, in: library).get().genericNode == "/dev/sg3", "\(name)")
        }
    }

    @Test func drivesAreFoundByNodeLinkOrSerialAndSeveralNeedAName() throws {
        for name in ["DRV00002", "/dev/nst1", "/dev/sg2", "/dev/tape/by-id/scsi-DRV00002-nst", VM.naa(2)] {
            #expect(try DeviceChoice.drive(named: name, in: library).get().tapeNode == "/dev/nst1", "\(name)")
        }
        guard case .failure(let several) = DeviceChoice.drive(named: nil, in: library) else {
            Issue.record("two drives and no name chose one")
            return
        }
        #expect(several.description.contains("udev shows 2 tape drives: DRV00001 (/dev/nst0, IBM ULT3580-TD6)"), "\(several)")
        #expect(several.description.contains("DRV00002 (/dev/nst1") && several.description.contains("--device SERIAL"), "\(several)")
    }

    @Test func nothingToChooseSaysWhatUdevShows() {
        let empty = DeviceInventory()
        guard case .failure(let none) = DeviceChoice.changer(named: nil, in: empty),
            case .failure(let unknown) = DeviceChoice.changer(named: "LIB99", in: library),
            case .failure(let noDrive) = DeviceChoice.drive(named: nil, in: empty)
        else {
            Issue.record("a changer or drive was chosen from nothing")
            return
        }
        #expect(none.description.hasPrefix("udev shows no medium changer"))
        #expect(unknown.description.contains("\"LIB99\"") && unknown.description.contains("one medium changer: LIB00001 (/dev/sg3"), "\(unknown)")
        #expect(noDrive.description.hasPrefix("udev shows no tape drive"))
    }
}
