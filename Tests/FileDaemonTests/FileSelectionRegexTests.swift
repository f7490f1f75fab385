import CapstanTestSupport
import FileDaemonProtocol
import Foundation
import Testing

@testable import FileDaemon

/// A FileSet's `Regex` patterns in a backup of real files. One whose repetitions would make glibc's regcomp build an
/// exponential tree (the fuzzer's `a+++…`, nested intervals; it once took the File daemon past 2 GB) is refused
/// before regcomp, one that does not compile is reported too, and either fails the job before any file is sent (as
/// bacula-fd fails it on a regex that does not compile): without the pattern the job would save what the FileSet
/// leaves out. The same FileSet without them excludes what its good pattern matches.
@Suite struct FileSelectionRegexTests {
    /// Backs up `root` with one exclude Options block holding `patterns` (`R` lines) and a default block.
    static func backup(_ root: String, excluding patterns: [String]) throws -> SelectionBackup {
        try SelectionBackup(
            ["I\n", "O e\n"] + patterns.map { "R \($0)\n" } + ["N\n", "O M\n", "N\n", "F \(root)", "N\n"], job: "Regex")
    }

    @Test func unusablePatternsFailTheJobBeforeAnyFileAndTheGoodOneExcludes() throws {
        let root = try RealBacula.temporaryDirectory("capstan-fd-regex")
        defer { RealBacula.removeTemporaryDirectory(root) }
        for name in ["report.txt", "scratch.tmp"] { try Data(name.utf8).write(to: URL(fileURLWithPath: root + "/" + name)) }
        let exploding = "a" + String(repeating: "+", count: 100)
        let nested = "((a{255}){255}){255}"

        let refused = try Self.backup(root, excluding: [exploding, "\\.tmp$", nested, "(unclosed"])
        #expect(refused.fatal.count == 3, "\(refused.fatal)")
        #expect(refused.fatal.contains { $0.contains("regex \"\(exploding)\": ") && $0.contains("too complex") }, "\(refused.fatal)")
        #expect(refused.fatal.contains { $0.contains("regex \"\(nested)\": ") && $0.contains("too complex") }, "\(refused.fatal)")
        #expect(refused.fatal.contains { $0.contains("regex \"(unclosed\" does not compile") }, "\(refused.fatal)")
        #expect(refused.saved.isEmpty, "\(refused.saved)")
        #expect(refused.failed && refused.errors == 3)

        let good = try Self.backup(root, excluding: ["\\.tmp$"])
        #expect(good.fatal.isEmpty && !good.failed, "\(good.fatal)")
        #expect(good.savedNames.contains("report.txt") && !good.savedNames.contains("scratch.tmp"), "\(good.savedNames)")
    }
}
