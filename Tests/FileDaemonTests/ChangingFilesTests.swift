import BaculaWire
import CapstanTestSupport
import FileDaemonProtocol
import Foundation
import StorageProtocol
import Testing

@testable import FileDaemon

/// The backup reader on real files that change under it. The test itself is the consumer of the record stream, so
/// it can act at the exact moment a given record goes out (no timing involved).
@Suite struct ChangingFilesTests {
    /// A file that grows while read is a warning with `checkfilechanges = yes` only (letter `c`; off by default, as
    /// in bacula-fd); vanished files are warnings either way.
    @Test(arguments: [true, false])
    func filesThatVanishOrGrowWhileReadGiveWarningsAndTheWalkGoesOn(checkFileChanges: Bool) throws {
        let root = try RealBacula.temporaryDirectory("capstan-fd-changing")
        defer { RealBacula.removeTemporaryDirectory(root) }
        let victims = (1...5).map { "vanish-\($0).txt" }
        for name in victims + ["keep.txt"] { try Data("\(name)\n".utf8).write(to: URL(fileURLWithPath: root + "/" + name)) }
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: root + "/grow.bin"))

        var block = FileSetBlock(isExclude: false)
        block.files = [Array(root.utf8)]
        block.optionsBlocks = [OptionsBlock(options: FileSetOptions(letters: checkFileChanges ? "Mc" : "M"))]
        let plan = BackupPlan(
            job: JobIdentity(jobID: 1, job: "Changing.1", sessionID: 1, sessionTime: 1, authorization: "dummy"),
            fileSet: FileSetDescription(blocks: [block]))
        let counters = JobCounters()
        var saved: [String] = []
        var messages: [(MessageType, String)] = []
        var deleted = false
        var growFileIndex: Int32?
        var grown = false
        let producer = BackupProducer(
            plan: plan, bufferSize: 65536, counters: counters, daemonName: "test-fd", coalesceBytes: 0, isCanceled: { false },
            emit: { event in
                switch event {
                case .message(let type, let text): messages.append((type, text))
                case .listing: break
                case .frames(let frames):
                    for frame in frames {
                        guard let payload = frame.payload else { continue }
                        if let record = try? AttributeRecord(decoding: payload), record.fileIndex > 0,
                            payload.starts(with: Array("\(record.fileIndex) ".utf8))
                        {
                            let name = BytePath(record.name).lastComponent
                            saved.append(String(decoding: name, as: UTF8.self))
                            if name == Array("grow.bin".utf8) { growFileIndex = record.fileIndex }
                            if !deleted {  // the first file goes out: the victims not yet read disappear
                                deleted = true
                                for victim in victims where !saved.contains(victim) { try? FileManager.default.removeItem(atPath: root + "/" + victim) }
                            }
                        } else if let index = growFileIndex, !grown, payload == Array("\(index) 2 \(1 << 20)".utf8) {
                            grown = true  // its data header went out: the file grows before it is read to the end
                            let handle = FileHandle(forWritingAtPath: root + "/grow.bin")
                            handle?.seekToEndOfFile()
                            handle?.write(Data(repeating: 9, count: 1 << 20))
                            try? handle?.close()
                        }
                    }
                }
                return true
            })
        producer.run()
        let vanished = victims.filter { !saved.contains($0) }
        #expect(vanished.count >= 4)
        #expect(saved.contains("keep.txt") && saved.contains("grow.bin"))
        #expect(grown)
        let warnings = messages.filter { $0.0 == .warning }.map(\.1)
        #expect(warnings.filter { $0.contains("vanished") }.count == vanished.count, "\(warnings)")
        #expect(
            warnings.contains { $0.contains("grow.bin") && $0.contains("changed while it was read") } == checkFileChanges,
            "\(warnings)")
        #expect(counters.values.errors == 0)
        #expect(counters.values.warnings == Int64(vanished.count + (checkFileChanges ? 1 : 0)))
        #expect(counters.values.readBytes == 2 << 20 + Int64(("keep.txt\n").utf8.count) + Int64(5 - vanished.count) * 13)
    }
}

/// The reader's FileSet options on real files: exclude patterns (wild, regex, ignore case), Exclude Dir Containing,
/// honor nodump flag.
@Suite struct FileSelectionTests {
    @Test func noDumpFlagExcludePatternsAndMarkerDirectoriesLeaveFilesOut() async throws {
        let root = try RealBacula.temporaryDirectory("capstan-fd-selection")
        defer { RealBacula.removeTemporaryDirectory(root) }
        let manager = FileManager.default
        for name in ["keep.bin", "notes.txt", "object.o", "cache/data.bin", "marked/.nobackup", "marked/inside.bin", "Upper.TXT"] {
            try manager.createDirectory(atPath: (root + "/" + name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(name.utf8).write(to: URL(fileURLWithPath: root + "/" + name))
        }
        let saved = try SelectionBackup(
            ["I\n", "O Mie\n", "WF *.o\n", "RD /cache$\n", "W *.txt\n", "N\n", "O MN\n", "N\n", "F \(root)", "Z .nobackup\n", "N\n"],
            job: "Selection"
        ).saved
        // *.txt (ignoring case) and *.o are excluded by the first block, cache/ by its regex, marked/ by its marker.
        #expect(saved.contains(root + "/") && saved.contains(root + "/keep.bin"), "\(saved)")
        #expect(!saved.contains { $0.hasSuffix(".txt") || $0.hasSuffix(".TXT") || $0.hasSuffix(".o") }, "\(saved)")
        #expect(!saved.contains { $0.contains("/cache") || $0.contains("/marked") }, "\(saved)")
    }

    @Test func theNoDumpFlagIsHonoured() async throws {
        let root = try RealBacula.temporaryDirectory("capstan-fd-nodump")
        defer { RealBacula.removeTemporaryDirectory(root) }
        for name in ["dump.bin", "nodump.bin"] { try Data(name.utf8).write(to: URL(fileURLWithPath: root + "/" + name)) }
        let chattr = try await Command.run("/usr/bin/chattr", ["+d", root + "/nodump.bin"])
        #expect(chattr.status == 0, "\(chattr.errors)")
        func names(honor: Bool) throws -> [String] {
            try SelectionBackup(["I\n", honor ? "O MN\n" : "O M\n", "N\n", "F \(root)", "N\n"], job: "NoDump").savedNames
        }
        #expect(try names(honor: true).contains("dump.bin"))
        #expect(try !names(honor: true).contains("nodump.bin"))
        #expect(try names(honor: false).contains("nodump.bin"))
    }
}
