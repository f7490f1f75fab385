import CapstanTestSupport
@testable import Discovery
import Testing

/// A class device's parent SCSI device and SCSI address, read from the end of an ASCII sysfs path, are what splitting
/// the path into components gives (kept as `splitParentFromSyspath` for any text).
@Suite struct SyspathTests {
    @Test func parentsAreThoseOfSplittingThePath() {
        #expect(UdevRecord.parentFromSyspath("/sys/devices/h/target0:0:0/0:0:0:1/scsi_tape/nst0") == "/sys/devices/h/target0:0:0/0:0:0:1")
        #expect(UdevRecord.parentFromSyspath("0:0:0:1/scsi_tape/nst0") == "0:0:0:1")
        #expect(UdevRecord.parentFromSyspath("/0::0:1/scsi_tape/nst0") == nil)
        #expect(UdevRecord.parentFromSyspath("scsi_tape/nst0") == nil)
        let pieces = ["/", "/", "/", ":", ":", "0", "1", "scsi_tape", "nst0", "", "\u{301}", "\u{E9}", "\r\n", "::", "0:0:0:1"]
        var random = SeededRandom(seed: 3)
        for _ in 0..<20_000 {
            let path = (0..<random.below(12)).map { _ in pieces[random.below(pieces.count)] }.joined()
            let expected = UdevRecord.splitParentFromSyspath(path)
            let actual = UdevRecord.parentFromSyspath(path)
            #expect(actual.map { Array($0.utf8) } == expected.map { Array($0.utf8) }, "\(path.debugDescription)")
            let record = UdevRecord(subsystem: "scsi_tape", sysname: "nst0", syspath: path, devnode: nil)
            let address = (record.scsiDevice ?? UdevRecord.splitParentFromSyspath(path)).flatMap {
                $0.split(separator: "/").last.map(String.init)
            }
            #expect(record.scsiAddress.map { Array($0.utf8) } == address.map { Array($0.utf8) }, "\(path.debugDescription)")
            let device = UdevRecord(subsystem: "scsi_tape", sysname: "nst0", syspath: "", devnode: nil, scsiDevice: path)
            #expect(device.scsiAddress == path.split(separator: "/").last.map(String.init), "\(path.debugDescription)")
        }
    }
}

