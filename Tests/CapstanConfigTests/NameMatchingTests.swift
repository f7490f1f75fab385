import CapstanTestSupport
@testable import CapstanConfig
import Testing

/// Name comparison and misspelling suggestions, which the checker runs for every directive of every resource.
@Suite struct NameMatchingTests {
    @Test(arguments: [
        ("Media Type", "MediaType"), ("Media Type", "mediatype"), ("\tMEDIA  type ", "Media Type"), ("Name", "name"),
        ("SD Port", "SDPort"), ("Media Type", "Media Typ"), ("Media Type", "Media Types"), ("", " \t "), ("", "x"),
        ("Kelvin\u{212A}", "kelvink"), ("caf\u{E9}", "CAFE\u{301}"), ("caf\u{E9}", "cafe"), ("Ä", "ä"), ("[", "{"),
        ("@", "`"), ("Z", "z"), ("Z", "Zz"),
    ])
    func matchesAsNormalizedNamesCompare(a: String, b: String) {
        #expect(configNamesMatch(a, b) == (normalizedConfigName(a) == normalizedConfigName(b)))
        #expect(configNamesMatch(b, a) == configNamesMatch(a, b))
    }

    /// Names are compared as the bytes come (a difference between ASCII bytes decides at once); whatever follows,
    /// the answer is that of comparing the normalized names, on names made at random from ASCII letters, spaces,
    /// tabs, "\r\n", combining marks, precomposed and case-mapping characters.
    @Test func matchesAsNormalizedNamesCompareOnRandomNames() {
        let pieces = ["a", "b", "A", "B", " ", "\t", "k", "K", "\u{212A}", "\u{301}", "\u{E1}", "\r\n", "\n", "\u{130}", "i", "\u{3A3}"]
        var random = SeededRandom(seed: 7)
        for _ in 0..<20_000 {
            let a = (0..<random.below(5)).map { _ in pieces[random.below(pieces.count)] }.joined()
            let b = random.below(3) == 0 ? a.uppercased() : (0..<random.below(5)).map { _ in pieces[random.below(pieces.count)] }.joined()
            #expect(configNamesMatch(a, b) == (normalizedConfigName(a) == normalizedConfigName(b)), "\(a.debugDescription) \(b.debugDescription)")
        }
        #expect(!configNamesMatch("Xa\u{301}", "Ya\u{301}"))
        #expect(configNamesMatch("Na\u{301}me", "NA\u{301} ME"))
        #expect(!configNamesMatch("a \u{301}", "a"))
    }

    /// The suggestion skips candidates and stops comparisons early, and compares ASCII names as bytes; it names the
    /// same candidate as comparing every candidate in full (the first of the nearest, if near enough).
    @Test func suggestsWhatComparingEveryCandidateSuggests() {
        func reference(_ word: String, _ candidates: [String]) -> String? {
            let key = Array(normalizedConfigName(word))
            guard !key.isEmpty, key.count <= 128 else { return nil }
            let allowed = key.count < 3 ? 0 : key.count < 5 ? 1 : max(2, key.count / 4)
            var best: (String, Int)?
            for candidate in candidates {
                let distance = NameSuggestion.editDistance(String(key), normalizedConfigName(candidate))
                if best == nil || distance < best!.1 { best = (candidate, distance) }
            }
            return best.flatMap { $0.1 <= allowed ? $0.0 : nil }
        }
        let names = DaemonSchema.director.resources.flatMap { $0.directives.map(\.name) } + ["Caf\u{E9}", "x\r\ny", "abc"]
        let pieces = ["a", "e", "i", "o", "n", "m", "t", "s", " ", "\u{E9}", "\u{301}", "\r\n", "\n", "y", "x"]
        var random = SeededRandom(seed: 11)
        for _ in 0..<3_000 {
            let candidates = (0..<random.below(12)).map { _ in names[random.below(names.count)] }
            var word = candidates.isEmpty || random.below(4) == 0 ? "" : candidates[random.below(candidates.count)]
            for _ in 0..<random.below(4) {
                var characters = Array(word)
                let position = random.below(characters.count + 1)
                let piece = Character(pieces[random.below(pieces.count)])
                switch random.below(3) {
                case 0: characters.insert(piece, at: position)
                case 1 where position < characters.count: characters.remove(at: position)
                default: if position < characters.count { characters[position] = piece }
                }
                word = String(characters)
            }
            #expect(NameSuggestion.nearest(to: word, in: candidates) == reference(word, candidates), "\(word.debugDescription)")
        }
    }

    /// ASCII names are normalized byte by byte; the result has the bytes of lower-casing the name and dropping its
    /// space and tab characters, on names made at random from ASCII letters, spaces, tabs, "\r\n" and non-ASCII
    /// characters.
    @Test func normalizedNamesAreThoseOfLowerCasingAndDroppingSpaces() {
        let pieces = ["a", "B", "Z", "z", "@", "[", " ", "\t", "\r\n", "\r", "\n", "0", "\u{212A}", "\u{301}", "\u{E9}", "\u{130}", "_"]
        var random = SeededRandom(seed: 13)
        for _ in 0..<20_000 {
            let name = (0..<random.below(8)).map { _ in pieces[random.below(pieces.count)] }.joined()
            let reference = String(name.lowercased().filter { $0 != " " && $0 != "\t" })
            #expect(Array(normalizedConfigName(name).utf8) == Array(reference.utf8), "\(name.debugDescription)")
        }
    }

    @Test func suggestsTheFirstNearestName() {
        #expect(NameSuggestion.nearest(to: "Maximum Blok Size", in: ["Maximum File Size", "Maximum Block Size"]) == "Maximum Block Size")
        #expect(NameSuggestion.nearest(to: "Devise", in: ["Devices", "Device", "Director"]) == "Device")
        #expect(NameSuggestion.nearest(to: "abcd", in: ["abce", "abcf"]) == "abce")
        #expect(NameSuggestion.nearest(to: "E", in: ["D"]) == nil)
        #expect(NameSuggestion.nearest(to: "Storage", in: ["Name", "Pool", "Autochanger"]) == nil)
    }

    /// The fuzzer's config target spent its time here: a 16 KB word compared with every known name, and two long
    /// resource names compared cell by cell (quadratic). No name is longer than 127 characters, so neither is a
    /// misspelling of one.
    @Test func wordsLongerThanAnyNameGetNoSuggestion() {
        let long = String(repeating: "n", count: 20_000)
        #expect(NameSuggestion.nearest(to: long + "x", in: [long + "y", "Name"]) == nil)
        let longest = String(repeating: "n", count: 127)
        #expect(NameSuggestion.nearest(to: longest + "x", in: [longest + "y"]) == longest + "y")
    }

    @Test func checksAFileWithALongUnknownDirective() {
        let long = String(repeating: "maximum", count: 3_000)
        let text = """
            Director { Name = d; Password = p; Working Directory = /tmp; Pid Directory = /tmp; Messages = m; \(long) = 1 }
            Messages { Name = m; console = all }
            """
        let (_, diagnostics) = ConfigLoader.load(text: text, name: "long.conf", kind: .director)
        let unknown = diagnostics.errors.filter { $0.kind == .unknownDirective }
        #expect(unknown.count == 1)
        #expect(unknown.first?.message.hasSuffix("\(long)\"") == true)
        #expect(unknown.first?.suggestion == nil)
    }

    /// Schemas find resource types by any spelling through an index that follows changes to the schema.
    @Test func schemasFindResourceTypesByAnySpelling() {
        #expect(DaemonSchema.storageDaemon.resource(named: "auto changer")?.name == "Autochanger")
        #expect(DaemonSchema.director.resource(named: "JOBDEFS")?.name == "JobDefs")
        #expect(DaemonSchema.director.resource(named: "Job Def") == nil)
        var schema = DaemonSchema.console
        #expect(schema.resource(named: "Device") == nil)
        schema.resources.append(ResourceSchema("Device", aliases: ["Drive"], directives: []))
        #expect(schema.resource(named: "drive")?.name == "Device")
        schema.resources[schema.resources.count - 1].aliases = []
        #expect(schema.resource(named: "drive") == nil)
    }
}


/// The edit distance with a limit computes only the cells near the table's diagonal; it is the full table's distance
/// whenever that is within the limit, and nil otherwise, on random words over a small alphabet (so that many are
/// near each other).
@Suite struct EditDistanceTests {
    @Test func aLimitedDistanceIsTheFullDistanceOrNil() {
        func full(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var table = (0...b.count).map { $0 }
            for i in 1...max(1, a.count) where !a.isEmpty {
                var row = [i] + [Int](repeating: 0, count: b.count)
                for j in stride(from: 1, through: b.count, by: 1) {
                    row[j] = min(table[j] + 1, row[j - 1] + 1, table[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                table = row
            }
            return table[b.count]
        }
        var random = SeededRandom(seed: 17)
        for _ in 0..<20_000 {
            let a = (0..<random.below(14)).map { _ in UInt8(random.below(3)) }
            let b = random.below(4) == 0 ? a : (0..<random.below(14)).map { _ in UInt8(random.below(3)) }
            let limit = random.below(8)
            let distance = full(a, b)
            #expect(NameSuggestion.editDistance(a, b, limit: limit) == (distance <= limit ? distance : nil), "\(a) \(b) \(limit)")
        }
    }
}
