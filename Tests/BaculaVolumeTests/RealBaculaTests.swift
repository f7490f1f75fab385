import CapstanTestSupport
import BaculaVolume
import Foundation
import Testing

/// Volumes written by Capstan, read back by the REAL Bacula 9.6.7 `bls` and `bextract` (package bacula-sd).
@Suite(.serialized) struct RealBaculaTests {
    static let mtime: Int64 = 1_704_164_645
    static let dataDir = "/capstan/data"

    struct Content {
        var plain: [UInt8]
        var sparse: [UInt8]
        var text: [UInt8]
        var lzo: [UInt8]
    }

    static func content() -> Content {
        let plain = (0..<2_500_000).map { UInt8(truncatingIfNeeded: ($0 * 13 + 5) & 0xFF) }
        var sparse = [UInt8](repeating: 0, count: 1_048_576)
        sparse.replaceSubrange(524_288..<528_288, with: Array(String(repeating: "SPARSEDATA", count: 400).utf8))
        let text = Array(String(repeating: "Capstan writes Bacula volumes.\n", count: 3000).utf8)
        let lzo = (0..<90_000).map { UInt8(truncatingIfNeeded: ($0 / 7) & 0xFF) }
        return Content(plain: plain, sparse: sparse, text: text, lzo: lzo)
    }

    static func stat(inode: Int64, mode: Int64, size: Int64, links: Int64 = 1, linkFI: Int64 = 0, stream: Int32)
        -> EncodedStat
    {
        var s = EncodedStat()
        s.device = 2049
        s.inode = inode
        s.mode = mode
        s.linkCount = links
        s.uid = 0
        s.gid = 0
        s.size = size
        s.blockSize = 4096
        s.blocks = (size + 511) / 512
        s.accessTime = mtime
        s.modificationTime = mtime
        s.changeTime = mtime
        s.linkFileIndex = linkFI
        s.dataStream = Int64(stream)
        return s
    }

    /// Writes the test volume: label, one session with plain, sparse, GZIP, LZO, empty, hard link, symlink and
    /// directory entries.
    static func writeVolume(name: String, blockSize: Int, content c: Content) throws -> [UInt8] {
        let out = Collector()
        var w = VolumeWriter(medium: .file, blockSize: blockSize)
        let sessionID: UInt32 = 1
        let sessionTime: UInt32 = 1_800_000_000
        let now: Int64 = 1_800_000_000 * 1_000_000
        let label = VolumeLabel(
            labelTime: now, writeTime: now, volumeName: name, poolName: "Default", mediaType: "File", hostName: "capstan",
            labelProgram: "capstan-sd", programVersion: "Ver. 9.6.7 10 December 2020 ",
            programDate: "Build Feb  7 2023 20:51:52 ")
        try w.writeLabel(label, type: .volumeLabel, sessionID: sessionID, sessionTime: sessionTime) { out.take($0) }
        let sos = SessionLabel(
            jobID: 77, writeTime: now, poolName: "Default", jobName: "CapJob", clientName: "capstan-fd",
            job: "CapJob.2027-01-15_08.00.00_01", fileSetName: "CapSet")
        try w.beginSession(sos, sessionID: sessionID, sessionTime: sessionTime, continueNumbering: true) { out.take($0) }
        var fi: Int32 = 0
        func file(_ a: FileAttributes, _ records: [(Int32, [UInt8])]) throws {
            try w.append(fileIndex: a.fileIndex, stream: StreamType.unixAttributes, data: a.encoded()) { out.take($0) }
            for (stream, payload) in records {
                try w.append(fileIndex: a.fileIndex, stream: stream, data: payload) { out.take($0) }
            }
        }
        let d = dataDir
        // 1 plain file in 65536-byte records (split across blocks)
        fi += 1
        let plainRecords = stride(from: 0, to: c.plain.count, by: 65536).map {
            (StreamType.fileData, Array(c.plain[$0..<min($0 + 65536, c.plain.count)]))
        }
        try file(
            FileAttributes(
                fileIndex: fi, type: .regular, name: "\(d)/plain.bin",
                stat: stat(inode: 11, mode: 0o100640, size: Int64(c.plain.count), links: 2, stream: 2)),
            plainRecords)
        // 2 sparse file: only the chunk with data and the final chunk
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .regular, name: "\(d)/sparse.img",
                stat: stat(inode: 12, mode: 0o100644, size: Int64(c.sparse.count), stream: StreamType.sparseData)),
            [
                (StreamType.sparseData, FileData.sparsePayload(offset: 524_288, body: Array(c.sparse[524_288..<528_288]))),
                (StreamType.sparseData, FileData.sparsePayload(offset: 1_048_576 - 512, body: Array(c.sparse.suffix(512)))),
            ])
        // 3 GZIP text
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .regular, name: "\(d)/text.txt",
                stat: stat(inode: 13, mode: 0o100600, size: Int64(c.text.count), stream: StreamType.gzipData)),
            [(StreamType.gzipData, try FileData.gzipPayload(Array(c.text[..<60000]))),
             (StreamType.gzipData, try FileData.gzipPayload(Array(c.text[60000...])))])
        // 4 LZO
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .regular, name: "\(d)/lzo.bin",
                stat: stat(inode: 14, mode: 0o100644, size: Int64(c.lzo.count), stream: StreamType.compressedData)),
            [(StreamType.compressedData, try FileData.lzoPayload(Array(c.lzo[..<65536]))),
             (StreamType.compressedData, try FileData.lzoPayload(Array(c.lzo[65536...])))])
        // 5 empty
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .emptyRegular, name: "\(d)/empty.txt",
                stat: stat(inode: 15, mode: 0o100644, size: 0, stream: 2)), [])
        // 6 hard link to 1
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .hardLinkSaved, name: "\(d)/hard.bin",
                stat: stat(inode: 11, mode: 0o100640, size: Int64(c.plain.count), links: 2, linkFI: 1, stream: 2),
                link: "\(d)/plain.bin"), [])
        // 7 symlink
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .symbolicLink, name: "\(d)/link",
                stat: stat(inode: 16, mode: 0o120777, size: 9, stream: 2), link: "plain.bin"), [])
        // 8 the directory, after its contents
        fi += 1
        try file(
            FileAttributes(
                fileIndex: fi, type: .directoryEnd, name: "\(d)/",
                stat: stat(inode: 10, mode: 0o40750, size: 4096, links: 2, stream: 2)), [])
        try w.endSession(writeTime: now) { out.take($0) }
        return out.bytes
    }

    @Test(arguments: [64_512, 1_048_576])
    func realBlsListsAndRealBextractRestores(blockSize: Int) throws {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("capstan-bls-\(blockSize)-\(getpid())")
        try? fm.removeItem(at: tmp)
        let vols = tmp.appendingPathComponent("vols")
        let work = tmp.appendingPathComponent("work")
        let restore = tmp.appendingPathComponent("restore")
        for d in [vols, work, restore] { try fm.createDirectory(at: d, withIntermediateDirectories: true) }
        defer { try? fm.removeItem(at: tmp) }

        let name = "CapVol\(blockSize)"
        let c = Self.content()
        let volume = try Self.writeVolume(name: name, blockSize: blockSize, content: c)
        try Data(volume).write(to: vols.appendingPathComponent(name))

        // our own reader agrees before asking Bacula
        let events = try readAll(MemoryVolume(volume))
        #expect(events.damage.isEmpty)
        #expect(events.blocks.dropFirst().dropLast().allSatisfy { Int($0.0.length) > blockSize - 12 })
        #expect(events.blocks.map(\.0.blockNumber) == (0..<events.blocks.count).map(UInt32.init))
        // some block starts with a continuation piece (negative stream): a record split across blocks
        let continuations = events.blocks.filter { block in
            let at = Int(block.1.rawValue) + VolumeFormat.blockHeaderSize + 4
            let stream = volume[at..<(at + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return Int32(bitPattern: stream) < 0
        }
        #expect(!continuations.isEmpty)

        let config = """
            Storage { Name = capstan-test-sd
              WorkingDirectory = "\(work.path)"
              Pid Directory = "\(work.path)" }
            Device { Name = TestFiles; Media Type = File; Archive Device = \(vols.path)
              Device Type = File; Random Access = yes; RemovableMedia = no; LabelMedia = no }
            Messages { Name = Standard; stdout = all }
            """
        let conf = tmp.appendingPathComponent("sd.conf")
        try config.write(to: conf, atomically: true, encoding: .utf8)

        let jobs = try Command.runMerged(["/usr/sbin/bls", "-c", conf.path, "-V", name, "-j", "TestFiles"])
        #expect(jobs.status == 0, "\(jobs.output)")
        #expect(jobs.output.contains("JobId=77"), "\(jobs.output)")
        #expect(jobs.output.contains("Files=8"), "\(jobs.output)")
        #expect(jobs.output.contains("Status=T"), "\(jobs.output)")
        #expect(!jobs.output.lowercased().contains("checksum"), "\(jobs.output)")

        let list = try Command.runMerged(["/usr/sbin/bls", "-c", conf.path, "-V", name, "TestFiles"])
        #expect(list.status == 0, "\(list.output)")
        #expect(list.output.contains("8 files found."), "\(list.output)")
        #expect(list.output.contains("\(Self.dataDir)/link -> plain.bin"), "\(list.output)")

        let extract = try Command.runMerged(["/usr/sbin/bextract", "-c", conf.path, "-V", name, "TestFiles", restore.path])
        #expect(extract.status == 0, "\(extract.output)")
        #expect(extract.output.contains("8 files restored."), "\(extract.output)")

        let root = restore.path + Self.dataDir
        func bytes(_ n: String) -> [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/" + n)))) ?? [] }
        #expect(bytes("plain.bin") == c.plain)
        #expect(bytes("hard.bin") == c.plain)
        #expect(bytes("sparse.img") == c.sparse)
        #expect(bytes("text.txt") == c.text)
        #expect(bytes("lzo.bin") == c.lzo)
        #expect(fm.fileExists(atPath: root + "/empty.txt") && bytes("empty.txt").isEmpty)
        #expect((try? fm.destinationOfSymbolicLink(atPath: root + "/link")) == "plain.bin")
        var a = Glibc.stat()
        var b = Glibc.stat()
        #expect(lstat(root + "/plain.bin", &a) == 0 && lstat(root + "/hard.bin", &b) == 0)
        #expect(a.st_ino == b.st_ino)
        #expect(a.st_mode & 0o7777 == 0o640)
        #expect(Int64(a.st_mtim.tv_sec) == Self.mtime)
        var s = Glibc.stat()
        #expect(lstat(root + "/sparse.img", &s) == 0 && Int(s.st_blocks) * 512 < 1_048_576 / 2)
        var dir = Glibc.stat()
        #expect(lstat(root, &dir) == 0 && dir.st_mode & 0o7777 == 0o750 && Int64(dir.st_mtim.tv_sec) == Self.mtime)
    }
}
