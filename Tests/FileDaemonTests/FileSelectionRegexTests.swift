import FileDaemonProtocol
import Testing

@testable import FileDaemon

/// A FileSet's `Regex` patterns as the File daemon compiles them: one whose repetitions would make glibc's regcomp
/// build an exponential tree (the fuzzer's `a+++…`, nested intervals) is refused before regcomp and reported as a
/// problem of the job, as is one that does not compile; the block's other patterns still select files.
@Suite struct FileSelectionRegexTests {
    @Test func anExplodingPatternIsReportedAndTheOthersStillSelect() {
        var options = FileSetOptions()
        options.exclude = true
        var block = OptionsBlock(options: options)
        let exploding = "a" + String(repeating: "+", count: 100)
        let nested = "((a{255}){255}){255}"
        block.regex = [exploding, "\\.tmp$", nested, "(unclosed"]
        var include = FileSetBlock(isExclude: false)
        include.optionsBlocks = [block]
        include.files = [Array("/data".utf8)]

        let selection = FileSelection(include: include, excludes: [])

        #expect(selection.problems.count == 3, "\(selection.problems)")
        #expect(selection.problems.contains { $0.hasPrefix("regex \"\(exploding)\": ") && $0.contains("too complex") },
            "\(selection.problems)")
        #expect(selection.problems.contains { $0.hasPrefix("regex \"\(nested)\": ") && $0.contains("too complex") },
            "\(selection.problems)")
        #expect(selection.problems.contains("regex \"(unclosed\" does not compile"), "\(selection.problems)")
        // the pattern that compiled still decides: *.tmp is excluded, the rest takes the defaults
        #expect(selection.options(for: BytePath("/data/scratch.tmp"), isDirectory: false) == nil)
        #expect(selection.options(for: BytePath("/data/report.txt"), isDirectory: false) != nil)
    }
}
