import FileDaemonProtocol
import Testing

/// Patterns whose repetitions would make glibc's regcomp allocate without bound are refused before it runs.
@Suite struct RegexExpansionTests {
    @Test(arguments: [
        "\\.(mp3|avi|iso)$", "^/home/[^/]+/\\.cache/", ".*\\.o$", "[[:alpha:]]{1,255}", "a{2}b{3,}c{4,5}", "x{", "[]a]+",
        "(ab|cd)*ef?", "[^]]*", "\\{5\\}",
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
