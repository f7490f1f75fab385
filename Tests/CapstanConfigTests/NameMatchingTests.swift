import CapstanConfig
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
