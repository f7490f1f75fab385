import FileDaemonProtocol
import Testing

/// Patterns whose repetitions would make glibc's regcomp allocate without bound are refused before it runs.
@Suite struct RegexExpansionTests {
    @Test(arguments: [
        "\\.(mp3|avi|iso)$", "^/home/[^/]+/\\.cache/", ".*\\.o$", "[[:alpha:]]{1,255}", "a{2}b{3,}c{4,5}", "x{", "[]a]+",
        "(ab|cd)*ef?", "[^]]*", "\\{5\\}", "(a*)*", "(^|/)\\.git(/|$)", "^(/[^/]+)*/core$", "(\\.[a-z]+)?$",
        "(a*){1,500}", "(^){1,60}", "p+*+++",
    ])
    func everydayPatternsPass(pattern: String) {
        #expect(RegexExpansion.refusal(Array(pattern.utf8)) == nil, "\(RegexExpansion.estimatedSize(Array(pattern.utf8)))")
    }

    /// The shape libFuzzer found (fd-protocol, an out-of-memory at 2 GB inside regcomp's duplicate_tree), and
    /// nested intervals: refused, and the estimate stops at the limit instead of overflowing.
    @Test(arguments: [
        "4+bs" + String(repeating: "+", count: 100) + "cw", "((a{255}){255}){255}", "(a|b){1000}{1000}",
        "a{1000000}{1000000}{1000000}",
    ])
    func explodingPatternsAreRefused(pattern: String) {
        #expect(RegexExpansion.refusal(Array(pattern.utf8)) != nil)
        #expect(RegexExpansion.estimatedSize(Array(pattern.utf8)) == RegexExpansion.limit + 1)
    }

    /// Repetitions of parts that can match the empty string, which glibc's epsilon-closure pass takes seconds to
    /// minutes over (the first is libFuzzer's fd-protocol timeout, 2.9 s in regcomp natively and past 10 s under
    /// AddressSanitizer); each is refused, by nesting or by closure cost, though its size is within the limit.
    @Test(arguments: [
        "p/cap+*+++++++++++/+++++++cw~D", "(a*){1,2000}", "(a*){1,700}", "(^){1,300}", "(^)+++++", "(\\b){1,100}",
        "(a|){1,1000}", "((((a?)*)*)*)*",
    ])
    func patternsWithSlowClosuresAreRefused(pattern: String) {
        let analysis = RegexExpansion.analyze(Array(pattern.utf8))
        #expect(analysis.size <= RegexExpansion.limit)
        #expect(RegexExpansion.refusal(Array(pattern.utf8)) != nil, "\(analysis)")
    }

    @Test func theClosureCostAndNesting() {
        let starGroup = RegexExpansion.analyze(Array("(a*){1,500}".utf8))
        #expect(starGroup.size == 1501 && starGroup.closureCost == 2_253_001 && starGroup.nullableNesting == 1, "\(starGroup)")
        #expect(RegexExpansion.analyze(Array("(^){1,60}".utf8)).closureCost == 1_771_561)
        #expect(RegexExpansion.analyze(Array("p+*++++".utf8)).nullableNesting == 4)
        #expect(RegexExpansion.analyze(Array("a{0,4000}".utf8)).closureCost == 0)  // optional copies of a character
        #expect(RegexExpansion.analyze(Array("(a|b)*c".utf8)).closureCost == 0)
        #expect(RegexExpansion.analyze(Array("(a|)*".utf8)).closureCost == 16)  // the empty alternative: (3 + 1)^2
    }

    @Test func theEstimateCountsCopies() {
        #expect(RegexExpansion.estimatedSize(Array("abc".utf8)) == 3)
        #expect(RegexExpansion.estimatedSize(Array("a+".utf8)) == 3)  // a a* and the operator
        #expect(RegexExpansion.estimatedSize(Array("(ab){10}".utf8)) == 31)  // the group (3 nodes) ten times, +1
        #expect(RegexExpansion.estimatedSize(Array("[a-z]{3,5}".utf8)) == 6)
    }

    @Test func regexWhereRefusesAnExplodingSubstitutionByName() {
        let text = "!a" + String(repeating: "+", count: 60) + "!b!"
        #expect(throws: RegexWhereError.self) { try RegexWhere(text) }
        do {
            _ = try RegexWhere(text)
        } catch {
            #expect(error.reason.contains("too complex"))
            #expect(error.substitution == text)
        }
    }
}
