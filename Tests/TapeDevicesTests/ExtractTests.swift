import BaculaVolume
import CapstanTestSupport
import FileDaemon
import Foundation
import Subprocesses
import Testing

@testable import TapeDevices

/// Fixture volumes through the volume stream and the restore writer (what `capstan extract` does).
@Suite struct ExtractTests {
    static let checksums = [
        "hello.txt": "80719dff54a5b8b56fbde150fb3a265d", "hard-hello.txt": "80719dff54a5b8b56fbde150fb3a265d",
        "sparse.img": "d117722101c42f599a03ffc5007023c8", "sub/numbers.bin": "59f08777fcd1aa2b8e0c8f892cfaae09",
        "empty.txt": "d41d8cd98f00b204e9800998ecf8427e",
    ]

    struct Result {
        var restored: Int
        var problems: [String]
        var damaged: Int
        var blockAddresses: [VolumeAddress]
        var sessions: Set<UInt32>
    }

    static func extract(_ volume: String, bsr: String? = nil, into dir: String) throws -> Result {
        let bootstrap = try bsr.map { try Bootstrap(parsing: String(contentsOfFile: Shared.path($0), encoding: .utf8)) }
        let restorer = RecordRestorer(writer: RestoreWriter(root: dir))
        let stream = try VolumeStream(path: Shared.path(volume), bootstrap: bootstrap)
        var addresses: [VolumeAddress] = []
        var sessions: Set<UInt32> = []
        var damaged = 0
        while let event = try stream.next() {
            switch event {
            case .record(let r):
                if r.fileIndex > 0 { sessions.insert(r.sessionID) }
                restorer.consume(r)
            case .block(_, let a): addresses.append(a)
            case .damagedBlock: damaged += 1
            case .filemark: break
            }
        }
        restorer.finish()
        return Result(
            restored: restorer.writer.filesRestored, problems: restorer.problems, damaged: damaged,
            blockAddresses: addresses, sessions: sessions)
    }

    static func md5(_ path: String) throws -> String {
        String(try Subprocess.run(["/usr/bin/md5sum", path]).outputText.prefix(32))
    }

    static func fresh(_ name: String) -> String {
        let dir = scratch("restore-\(name)")
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    @Test(arguments: ["PlainVol", "CompVol", "TAPE01.vtape"])
    func restoresTheDataSet(_ volume: String) throws {
        let dir = Self.fresh(volume)
        let r = try Self.extract(volume, into: dir)
        #expect(r.problems.isEmpty, "\(r.problems)")
        #expect(r.damaged == 0)
        #expect(r.restored == (volume == "TAPE01.vtape" ? 11 : 8))
        let data = dir + "/tmp/volfmt-research/data"
        for (name, sum) in Self.checksums {
            #expect(try Self.md5(data + "/" + name) == sum, "\(name)")
        }
        var link = stat()
        #expect(lstat(data + "/link-to-hello", &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: data + "/link-to-hello")) == "hello.txt")
        var hello = stat()
        var hard = stat()
        #expect(stat(data + "/hard-hello.txt", &hard) == 0 && stat(data + "/hello.txt", &hello) == 0)
        if volume != "TAPE01.vtape" {  // on the tape, job 4 restores hello.txt again afterwards
            #expect(hello.st_ino == hard.st_ino)
        }
        #expect(hello.st_mtim.tv_sec == 1_704_164_645 && hello.st_mode & 0o7777 == 0o644)
        var dirStat = stat()
        #expect(stat(data, &dirStat) == 0 && dirStat.st_mtim.tv_sec == 1_704_164_645)
        if volume == "CompVol" {  // stored with the sparse option: the holes stay holes
            var sparse = stat()
            #expect(stat(data + "/sparse.img", &sparse) == 0 && Int(sparse.st_blocks) * 512 < 200_000)
        }
    }

    @Test func bootstrapRestoresTapeJob3Alone() throws {
        let dir = Self.fresh("job3")
        let r = try Self.extract("TAPE01.vtape", bsr: "TapeJob-3.bsr", into: dir)
        #expect(r.problems.isEmpty && r.damaged == 0)
        #expect(r.sessions == [3])
        #expect(r.restored == 8)
        // reading stopped after the job's last segment (file 5 block 2): job 4's tape file 6 was never read
        #expect(r.blockAddresses.allSatisfy { $0.file <= 5 })
        let data = dir + "/tmp/volfmt-research/data"
        for (name, sum) in Self.checksums { #expect(try Self.md5(data + "/" + name) == sum, "\(name)") }
        var hello = stat()
        var hard = stat()
        #expect(stat(data + "/hard-hello.txt", &hard) == 0 && stat(data + "/hello.txt", &hello) == 0)
        #expect(hello.st_ino == hard.st_ino)
    }

    @Test func bootstrapPositionsDirectlyAtTheJob() throws {
        let dir = Self.fresh("job4")
        let r = try Self.extract("TAPE01.vtape", bsr: "TapeLzoJob-4.bsr", into: dir)
        #expect(r.problems.isEmpty)
        #expect(r.sessions == [4])
        #expect(r.restored == 3)
        // after the label the only block read is the job's block at 6:0 (the bsr address)
        #expect(r.blockAddresses == [.tape(file: 6, block: 0)])
        #expect(try Self.md5(dir + "/tmp/volfmt-research/data/sub/numbers.bin") == Self.checksums["sub/numbers.bin"])
    }

    @Test func bootstrapOnADiskVolumeSeeksToTheByteAddress() throws {
        let dir = Self.fresh("comp-bsr")
        let r = try Self.extract("CompVol", bsr: "CompJob-2.bsr", into: dir)
        #expect(r.restored == 8 && r.problems.isEmpty)
        #expect(r.blockAddresses == [.offset(214)])
        let other = try Self.extract("CompVol", bsr: "PlainJob-1.bsr", into: Self.fresh("none"))
        #expect(other.restored == 0)
    }

    @Test func fileVolumeDamageIsReportedAndSkipped() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Shared.path("PlainVol"))))
        bytes[64727 + 64512 + 3000] ^= 0x10  // inside block 3
        let path = scratch("PlainVol")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let stream = try VolumeStream(path: path)
        var damage: [VolumeError] = []
        var blocks = 0
        while let e = try stream.next() {
            if case .damagedBlock(let error) = e { damage.append(error) }
            if case .block = e { blocks += 1 }
        }
        #expect(blocks == 18)
        guard case .checksumMismatch(let address, let number, _, _)? = damage.first else {
            Issue.record("no checksum error")
            return
        }
        #expect(address == .offset(64727 + 64512) && number == 3 && damage.count == 1)
    }
}
