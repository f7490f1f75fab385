import CCapstanLinux
import Testing

@testable import TapeDevices

/// The st drive without a drive: MTIOCGET interpretation, and the ioctl path's typed errors on /dev/null.
@Suite struct LinuxTapeDriveTests {
    static func get(gstat: UInt, file: Int32, block: Int32) -> mtget {
        var g = mtget()
        g.mt_gstat = Int(bitPattern: gstat)
        g.mt_fileno = file
        g.mt_blkno = block
        return g
    }

    @Test func beginningOfTapeOnline() {
        let s = LinuxTapeDrive.status(from: Self.get(gstat: 0x4000_0000 | 0x0100_0000, file: 0, block: 0))
        #expect(s.atBeginning && s.online && !s.afterFilemark && !s.atEndOfData && !s.writeProtected)
        #expect(s.position == TapePosition(file: 0, block: 0))
    }

    @Test func afterAFilemarkWriteProtected() {
        let s = LinuxTapeDrive.status(from: Self.get(gstat: 0x8000_0000 | 0x0400_0000 | 0x0100_0000, file: 2, block: 0))
        #expect(s.afterFilemark && s.writeProtected && !s.atBeginning)
        #expect(s.position == TapePosition(file: 2, block: 0))
    }

    @Test func endOfDataAndUnknownPosition() {
        let s = LinuxTapeDrive.status(from: Self.get(gstat: 0x0800_0000, file: -1, block: -1))
        #expect(s.atEndOfData && !s.online)
        #expect(s.position == TapePosition(file: 0, block: 0))
    }

    @Test func devNullIsNotATape() {
        do {
            _ = try LinuxTapeDrive(path: "/dev/null")
            Issue.record("/dev/null must not open as a tape")
        } catch TapeError.system(let e) {
            #expect(e.kind == .notATape)
            #expect(e.call.hasPrefix("ioctl(MTIOCTOP"))
            #expect(e.path == "/dev/null")
        } catch {
            Issue.record("untyped \(error)")
        }
    }
}
