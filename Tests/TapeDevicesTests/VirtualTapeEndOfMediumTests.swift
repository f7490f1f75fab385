import BaculaVolume
import Foundation
import Testing

@testable import TapeDevices

@Suite struct VirtualTapeEndOfMediumTests {
    /// Writes in the early-warning zone succeed and set the EOT status bit; the write that would pass the physical
    /// end throws `endOfMedium` and writes nothing; a filemark still fits after it; Bacula's bls reads the image.
    @Test func earlyWarningThenEndOfMedium() throws {
        let path = scratch("ew.vtape")
        try? FileManager.default.removeItem(atPath: path)
        let tape = try VirtualTape(path: path, writable: true, capacity: 20_000, earlyWarningZone: 10_000)
        let block = [UInt8](repeating: 7, count: 4096)
        var warnedAt: Int?
        var written = 0
        while true {
            do {
                try block.withUnsafeBytes { try tape.writeBlock($0) }
                written += 1
                let warning = try tape.status().atEarlyWarning
                if warnedAt == nil && warning { warnedAt = written }
            } catch TapeError.endOfMedium {
                break
            }
        }
        let warned = try #require(warnedAt)
        #expect(warned < written)  // writes went on after the warning
        #expect(written == 4)  // 20 + 4 × 4100 + 20 <= 20000; a fifth would pass it
        #expect(try tape.position() == TapePosition(file: 0, block: 4))
        try tape.writeFilemarks(1)
        try tape.close()
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size.map { $0 <= 20_000 } == true)
        let again = try VirtualTape(path: path, writable: false)
        #expect(again.recordCount(inFile: 0) == 4)
    }
}
