// capstan-scsi-probe CHANGER-SG NST [TAPE-SG]
//
// Drives a real (or tgt-emulated) library with Capstan's own code: inventory over SG_IO, MOVE MEDIUM slot 1 →
// drive 0, records through the st driver, unload back to the slot. Prints one line per check; exits 1 if any fails.
// scripts/test-devices runs it inside the harness VM against tgt.
import Changers
import SCSI
import TapeDevices

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: capstan-scsi-probe CHANGER-SG NST [TAPE-SG]")
    exit(2)
}
let changerPath = arguments[1]
let tapePath = arguments[2]
var failures = 0

@MainActor func check(_ what: String, _ ok: Bool) {
    print(ok ? "  ok:   \(what)" : "  FAIL: \(what)")
    if !ok { failures += 1 }
}

/// Reads one record: first into 64 KiB (a larger record gives ENOMEM and LinuxTapeDrive spaces back over it), then
/// into 1 MiB. tgt reports an inverted iSCSI residual on ILI, so the kernel copies only buffer − record bytes: the
/// buffer must be more than twice the record for the data to arrive whole.
func readRecord(_ drive: LinuxTapeDrive) throws -> (record: [UInt8]?, grew: Bool) {
    var small = [UInt8](repeating: 0, count: 65_536)
    var grew = false
    do {
        if case .block(let n) = try small.withUnsafeMutableBytes({ try drive.readBlock(into: $0) }), n < 32_768 {
            return (Array(small.prefix(n)), false)
        } else {
            try drive.spaceRecords(-1)
        }
    } catch TapeError.blockLargerThanBuffer {
        grew = true
    }
    var large = [UInt8](repeating: 0, count: 1 << 20)
    if case .block(let n) = try large.withUnsafeMutableBytes({ try drive.readBlock(into: $0) }) {
        return (Array(large.prefix(n)), grew)
    }
    return (nil, grew)
}

func pattern(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed } }

do {
    let sg = try SCSIGenericDevice(path: changerPath)
    let runner = SCSICommandRunner(transport: sg)
    let inquiry = try StandardInquiry(decoding: try runner.run(StandardInquiry.command()).data)
    let serial = try UnitSerialNumber(decoding: try runner.run(UnitSerialNumber.command()).data)
    print("changer \(changerPath): \(inquiry.vendor) \(inquiry.product) \(inquiry.revision) serial \(serial.serial)")
    check("changer INQUIRY says medium changer", inquiry.deviceType == .mediumChanger)
    let raw = try runner.run(ElementStatus.command(type: .dataTransfer, start: 0, count: 0xFFFF, deviceIdentifiers: true))
    let advertised = raw.data.count >= 8 ? 8 + (Int(raw.data[5]) << 16 | Int(raw.data[6]) << 8 | Int(raw.data[7])) : -1
    print("READ ELEMENT STATUS drives over SG_IO: \(raw.data.count) bytes received, header advertises \(advertised)")

    let changer = SCSIMediaChanger(runner: runner)
    let start = ContinuousClock.now
    var elements = try await changer.inventory()
    print("inventory in \(ContinuousClock.now - start):")
    for e in elements {
        print("  \(e.kind) \(e.address) full=\(e.full) barcode=\(e.barcode ?? "-") serial=\(e.driveSerial ?? e.driveSerialPrefix.map { "\($0)… (cut)" } ?? "-")")
    }
    let slots = SCSIMediaChanger.slots(elements)
    let drives = SCSIMediaChanger.drives(elements)
    check("8 storage + 2 import/export slots, 2 drives", slots.count == 10 && drives.count == 2)
    check("slot 1 holds E00001L6", slots.first?.barcode == "E00001L6")
    check("drive 0 reports its serial by DVCID", drives.first?.driveSerial == "DRV00001")
    if arguments.count > 3 {
        let tapeRunner = SCSICommandRunner(transport: try SCSIGenericDevice(path: arguments[3]))
        let vpd = try UnitSerialNumber(decoding: try tapeRunner.run(UnitSerialNumber.command()).data)
        check("DVCID serial of drive 0 = VPD 80h serial of \(arguments[3]) (\(vpd.serial))", drives.first?.driveSerial == vpd.serial)
    }

    try await changer.load(slot: 1, drive: 0)
    elements = try await changer.inventory()
    check("after load: drive 0 holds E00001L6 from slot 1", SCSIMediaChanger.drives(elements).first?.barcode == "E00001L6"
        && SCSIMediaChanger.drives(elements).first?.sourceAddress == slots.first?.address)

    let drive = try LinuxTapeDrive(path: tapePath)
    try drive.rewind()
    let first = pattern(100_000, seed: 1)
    let second = pattern(50_000, seed: 2)
    try first.withUnsafeBytes { try drive.writeBlock($0) }
    try drive.writeFilemarks(1)
    try second.withUnsafeBytes { try drive.writeBlock($0) }
    try drive.writeFilemarks(1)
    print("after writing: \(try drive.status())")
    try drive.rewind()
    check("rewind: at beginning of tape", try drive.status().atBeginning)
    let (back1, grew) = try readRecord(drive)
    check("record 1 (100000 bytes) gives ENOMEM in 64 KiB, the drive spaces back", grew)
    check("record 1 reads back in 1 MiB (\(back1?.count ?? -1) bytes)", back1 == first)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    let fm = try buffer.withUnsafeMutableBytes { try drive.readBlock(into: $0) }
    check("then a filemark (\(fm))", fm == .filemark)
    check("position file 1 block 0 (\(try drive.position()))", try drive.position() == TapePosition(file: 1, block: 0))
    try drive.rewind()
    try drive.spaceFiles(1)
    print("after spaceFiles(1): \(try drive.status())")
    let back2 = try readRecord(drive).record
    let same = back2.map { b in zip(b, second).prefix { $0 == $1 }.count } ?? -1
    check("spaceFiles(1) then record 2 reads back (\(back2?.count ?? -1) bytes, \(same) equal)", back2 == second)
    let fm2 = try buffer.withUnsafeMutableBytes { try drive.readBlock(into: $0) }
    check("then a filemark (\(fm2))", fm2 == .filemark)
    let end = try buffer.withUnsafeMutableBytes { try drive.readBlock(into: $0) }
    check("then end of data (\(end))", end == .endOfData)
    print("status at end of data: \(try drive.status())")
    try drive.rewind()
    try drive.seekEndOfData()
    print("after seekEndOfData: \(try drive.status())")
    let eodFile = try drive.position().file
    if eodFile == 0x7F_FFFF {
        print("  quirk: st's MTEOM file count is \(eodFile): tgt's end-of-data sense carries no residue")
    } else {
        check("seekEndOfData: file 2", eodFile == 2)
    }
    try drive.rewind()
    do {
        try drive.spaceRecords(2)
        print("  quirk: spaceRecords(2) across a filemark did not stop: \(try drive.status())")
    } catch TapeError.filemarkReached(let p) {
        check("spaceRecords(2) stops at the filemark (\(p))", true)
    } catch {
        check("spaceRecords(2) across a filemark: \(error)", false)
    }
    try drive.unload()
    try drive.close()

    let slot = try await changer.unload(drive: 0)
    elements = try await changer.inventory()
    check("unload: back in slot \(slot) = 1", slot == 1 && SCSIMediaChanger.slots(elements).first?.barcode == "E00001L6")
    check("drive 0 empty again", SCSIMediaChanger.drives(elements).first?.full == false)
    try await changer.transfer(from: 2, to: 8)
    elements = try await changer.inventory()
    check("transfer slot 2 → 8 moves E00002L6", SCSIMediaChanger.slots(elements)[7].barcode == "E00002L6")
    do {
        try await changer.move(from: slots[1].address, to: drives[0].address)
        check("moving from an empty slot fails", false)
    } catch let error as SCSICommandError {
        check("moving from an empty slot fails with typed sense: \(error)", error.sense?.additional == .sourceElementEmpty)
    }
} catch {
    print("  FAIL: \(error)")
    failures += 1
}
print(failures == 0 ? "capstan-scsi-probe: all checks passed" : "capstan-scsi-probe: \(failures) failed")
exit(failures == 0 ? 0 : 1)
