import BaculaVolume
import CCapstanLinux
import Foundation
import Testing

@testable import TapeDevices

/// Reading a volume from a drive node, without a drive: container detection by file type (character devices are
/// never pread), the st status facts the end-of-data fallback relies on, the read-buffer rule, and the
/// from-the-beginning positioning on a recording drive.
@Suite struct TapeDriveReadTests {
    /// /dev/zero would look like a vtape image if it were pread (it starts with zeros); /dev/null would be empty.
    @Test(arguments: ["/dev/null", "/dev/zero"])
    func characterDeviceIsATapeDrive(path: String) throws {
        #expect(try VolumeContainer.detect(path: path) == .tapeDrive)
    }

    @Test func linkToACharacterDeviceIsATapeDrive() throws {
        let link = scratch("scsi-FAKE0001-nst")
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        #expect(try VolumeContainer.detect(path: link) == .tapeDrive)
    }

    @Test(arguments: [("TAPE01.vtape", VolumeContainer.vtape), ("PlainVol", .fileVolume), ("EmptyVol", .fileVolume)])
    func filesAreStillRecognisedByContent(name: String, expected: VolumeContainer) throws {
        #expect(try VolumeContainer.detect(path: Shared.path(name)) == expected)
    }

    @Test func missingPathIsATypedError() {
        #expect(throws: SystemError.self) { _ = try VolumeContainer.detect(path: scratch("no-such-volume")) }
    }

    /// A volume stream on a character device goes through the st driver (MTIOCTOP), not pread.
    @Test func volumeStreamOnACharacterDeviceOpensItAsADrive() {
        do {
            _ = try VolumeStream(path: "/dev/zero")
            Issue.record("/dev/zero must not read as a volume")
        } catch TapeError.system(let e) {
            #expect(e.kind == .notATape)
            #expect(e.call.hasPrefix("ioctl(MTIOCTOP"))
            #expect(e.path == "/dev/zero")
        } catch {
            Issue.record("untyped \(error)")
        }
    }

    // MARK: st status

    /// -1; 0x7FFFFF after MTEOM from the beginning; 0x7FFFFF + 7 after MTEOM from file 7, 16777214 from 0x7FFFFF.
    @Test(arguments: [
        (Int32(-1), Int?.none), (0x7F_FFFF, nil), (0x80_0006, nil), (0xFF_FFFE, nil), (0, 0), (7, 7),
        (0x7F_FFFE, 0x7F_FFFE),
    ])
    func fileNumberUnknownAfterEndOfData(raw: Int32, expected: Int?) {
        var g = mtget()
        g.mt_fileno = raw
        g.mt_blkno = 0
        #expect(LinuxTapeDrive.fileNumber(from: g) == expected)
    }

    @Test func statusClampsButFileNumberDoesNot() {
        var g = mtget()
        g.mt_fileno = -1
        g.mt_blkno = -1
        #expect(LinuxTapeDrive.status(from: g).position.file == 0)  // clamped: ambiguous with BOT
        #expect(LinuxTapeDrive.fileNumber(from: g) == nil)  // what seekEndOfData looks at
    }

    @Test(arguments: [1, 1024, 64512, 65536, 1 << 20, 2 << 20, 4_000_000])
    func safeReadBufferIsMoreThanTwiceTheRecord(record: Int) {
        let size = LinuxTapeDrive.safeReadBuffer(forRecord: record)
        #expect(size > 2 * record)
        #expect(size % 65536 == 0)
        #expect(size <= 2 * record + 2 * 65536)
    }

    @Test func minimumDriveBufferHoldsTwoMiBRecordsTwice() {
        #expect(LinuxTapeDrive.minimumReadBuffer > 2 * (2 << 20))
        #expect(LinuxTapeDrive.minimumReadBuffer >= 4 * 1_048_576 + 65536)
    }

    /// After st refuses a read count (EINVAL: above the drive's block limit) the next try is the power of two below.
    static let refusals: [(count: Int, next: Int?)] = [
        (4_259_840, 4_194_304), (4_194_304, 2_097_152), (2_097_152, 1_048_576), (1_048_577, 1_048_576),
        (131_072, 65_536), (65_536, nil), (1000, nil),
    ]

    @Test(arguments: refusals)
    func smallerReadCountAfterARefusal(count: Int, expected: Int?) {
        #expect(LinuxTapeDrive.smallerReadCount(than: count) == expected)
    }

    @Test func notReadyNamesTheNodeAndTheWait() {
        let e = TapeError.notReady(path: "/dev/nst3", waited: .milliseconds(12_345))
        #expect(e.description.contains("/dev/nst3"))
        #expect(e.description.contains("12.3 s"))
    }

    // MARK: Positioning

    /// Seeks on a recording drive: from-the-beginning positioning never spaces back over a filemark.
    @Test(arguments: [
        // (from file, from block, to file, to block, expected operations)
        (3, 2, 3, 0, ["rewind", "fsf 3"]),
        (3, 2, 1, 1, ["rewind", "fsf 1", "fsr 1"]),
        (0, 1, 0, 3, ["fsr 2"]),
        (0, 1, 5, 2, ["fsf 5", "fsr 2"]),
        (2, 0, 2, 0, []),
    ])
    func fromBeginningOfTape(fromFile: Int, fromBlock: Int, toFile: Int, toBlock: Int, expected: [String]) throws {
        let drive = RecordingDrive(file: fromFile, block: fromBlock)
        var source = TapeBlockSource(drive: drive, positioning: .fromBeginningOfTape)
        #expect(try source.seek(to: .tape(file: UInt32(toFile), block: UInt32(toBlock))))
        #expect(drive.operations == expected)
        #expect(drive.here == TapePosition(file: toFile, block: toBlock))
    }

    @Test func relativePositioningStillStepsBackOverOneFilemark() throws {
        let drive = RecordingDrive(file: 3, block: 2)
        var source = TapeBlockSource(drive: drive)
        #expect(try source.seek(to: .tape(file: 3, block: 1)))
        #expect(drive.operations == ["bsf 1", "fsf 1", "fsr 1"])
    }

    /// The whole fixture tape through from-the-beginning positioning: JobId 4's session at 6:0, then back to 0:1.
    @Test func positionsTheFixtureTapeFromTheBeginning() throws {
        let tape = try VirtualTape(path: Shared.path("TAPE01.vtape"), writable: false)
        var reader = VolumeReader(
            source: TapeBlockSource(drive: tape, positioning: .fromBeginningOfTape), initialBufferSize: 1 << 16)
        defer { reader.close() }
        for (address, sessionID) in [(VolumeAddress.tape(file: 6, block: 0), UInt32(4)), (.tape(file: 0, block: 1), 3)] {
            #expect(try reader.seek(to: address))
            var first: Record?
            while first == nil, let event = try reader.next() {
                if case .record(let r) = event { first = r }
            }
            let r = try #require(first)
            #expect(r.labelType == .startOfSession)
            #expect(r.sessionID == sessionID)
            #expect(r.address.file == address.file)
        }
    }
}

/// A drive that only keeps a position and records the positioning it was asked for.
final class RecordingDrive: TapeDrive {
    var here: TapePosition
    var operations: [String] = []

    init(file: Int, block: Int) { here = TapePosition(file: file, block: block) }

    func writeBlock(_ block: UnsafeRawBufferPointer) throws { operations.append("write") }
    func readBlock(into buffer: UnsafeMutableRawBufferPointer) throws -> TapeRead { .endOfData }
    func writeFilemarks(_ count: Int) throws { operations.append("weof \(count)") }
    func spaceFiles(_ count: Int) throws {
        operations.append(count > 0 ? "fsf \(count)" : "bsf \(-count)")
        here = TapePosition(file: here.file + count, block: 0)
    }
    func spaceRecords(_ count: Int) throws {
        operations.append(count > 0 ? "fsr \(count)" : "bsr \(-count)")
        here.block += count
    }
    func rewind() throws {
        operations.append("rewind")
        here = TapePosition(file: 0, block: 0)
    }
    func seekEndOfData() throws { operations.append("eom") }
    func position() throws -> TapePosition { here }
    func status() throws -> TapeStatus {
        TapeStatus(
            position: here, atBeginning: here == TapePosition(file: 0, block: 0), atEndOfData: false,
            afterFilemark: false, writeProtected: true, online: true)
    }
}
