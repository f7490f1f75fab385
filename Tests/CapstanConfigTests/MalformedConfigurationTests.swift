import CapstanConfig
import Testing

/// A table of broken files: each must produce its error at its line and column, naming what is wrong.
@Suite struct MalformedConfigurationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var text: String
        var kind: ConfigDiagnostic.Kind
        var line: Int
        var column: Int
        var mentions: String
        var suggestion: String? = nil
        var testDescription: String { id }
    }

    static let storage = "Storage { Name = sd; Working Directory = /w; Pid Directory = /p }\nDirector { Name = d; Password = x }\nMessages { Name = M; console = all }\n"

    static let cases: [Case] = [
        Case(
            id: "misspelled directive", text: storage + "Device {\n  Name = D\n  Media Type = F\n  Archive Device = /t\n  Maximum Blok Size = 1M\n}\n",
            kind: .unknownDirective, line: 8, column: 3, mentions: "Maximum Blok Size", suggestion: "Maximum Block Size"),
        Case(
            id: "misspelled resource", text: storage + "Devise {\n  Name = D\n}\n", kind: .unknownResource, line: 4, column: 1,
            mentions: "Devise", suggestion: "Device"),
        Case(
            id: "bad size", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t\n  Maximum Block Size = lots\n}\n",
            kind: .badValue, line: 5, column: 24, mentions: "lots"),
        Case(
            id: "bad boolean", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t\n  Label Media = maybe }\n",
            kind: .badValue, line: 5, column: 17, mentions: "maybe"),
        Case(
            id: "bad integer", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t\n  Drive Index = first }\n",
            kind: .badValue, line: 5, column: 17, mentions: "first"),
        Case(
            id: "bad duration", text: "Storage { Name = sd; Working Directory = /w; Pid Directory = /p\n  Heartbeat Interval = 5 fortnights }\nDirector { Name = d; Password = x }\nMessages { Name = M; console = all }\nDevice { Name = D; Media Type = F; Archive Device = /t }\n",
            kind: .badValue, line: 2, column: 24, mentions: "fortnights"),
        Case(
            id: "missing required directive", text: storage + "Device {\n  Name = D\n  Media Type = F\n}\n",
            kind: .missingDirective, line: 4, column: 1, mentions: "Archive Device"),
        Case(
            id: "duplicate name", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t }\nDevice { Name = D; Media Type = F; Archive Device = /u }\n",
            kind: .duplicateName, line: 5, column: 1, mentions: "\"D\""),
        Case(
            id: "undefined reference", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t }\nAutochanger {\n  Name = A\n  Device = D, E\n  Changer Device = /dev/sg1\n  Changer Command = \"\"\n}\n",
            kind: .undefinedReference, line: 7, column: 3, mentions: "\"E\""),
        Case(
            id: "missing brace", text: storage + "Device {\n  Name = D\n  Media Type = F\n  Archive Device = /t\n",
            kind: .syntax, line: 4, column: 8, mentions: "missing \"}\""),
        Case(
            id: "missing equals", text: storage + "Device {\n  Name D\n}\n", kind: .syntax, line: 5, column: 9, mentions: "\"=\""),
        Case(
            id: "unterminated string", text: storage + "Device { Name = D; Media Type = F\n  Archive Device = \"/t\n}\n",
            kind: .syntax, line: 5, column: 20, mentions: "unterminated"),
        Case(
            id: "missing Storage resource", text: "Director { Name = d; Password = x }\nMessages { Name = M; console = all }\nDevice { Name = D; Media Type = F; Archive Device = /t }\n",
            kind: .missingResource, line: 1, column: 1, mentions: "Storage"),
        Case(
            id: "bad message type", text: "Storage { Name = sd; Working Directory = /w; Pid Directory = /p }\nDirector { Name = d; Password = x }\nMessages { Name = M\n  append = \"/var/log/x\" = all, !skiped\n}\nDevice { Name = D; Media Type = F; Archive Device = /t }\n",
            kind: .badValue, line: 4, column: 32, mentions: "skiped", suggestion: "skipped"),
        Case(
            id: "bad device type keyword", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t\n  Device Type = Tapes }\n",
            kind: .badValue, line: 5, column: 17, mentions: "Tapes", suggestion: "Tape"),
        Case(
            id: "block size over the limit", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t\n  Maximum Block Size = 32M }\n",
            kind: .badValue, line: 5, column: 3, mentions: "20000000"),
        Case(
            id: "old and new style addresses", text: "Storage { Name = sd; Working Directory = /w; Pid Directory = /p\n SD Address = 127.0.0.1\n SDAddresses = { ip = { addr = 0.0.0.0 } } }\nDirector { Name = d; Password = x }\nMessages { Name = M; console = all }\nDevice { Name = D; Media Type = F; Archive Device = /t }\n",
            kind: .badValue, line: 2, column: 2, mentions: "cannot be mixed"),
        Case(
            id: "value on a block directive", text: storage + "Device { Name = D; Media Type = F; Archive Device = /t }\nStorage2 { }\n",
            kind: .unknownResource, line: 5, column: 1, mentions: "Storage2", suggestion: "Storage"),
    ]

    @Test(arguments: cases)
    func reportsTheErrorWhereItIs(_ testCase: Case) throws {
        let (_, diagnostics) = ConfigLoader.load(text: testCase.text, name: "broken.conf", kind: .storage)
        let location = SourceLocation(file: "broken.conf", line: testCase.line, column: testCase.column)
        let matching = diagnostics.errors.filter { $0.kind == testCase.kind && $0.location == location }
        let diagnostic = try #require(matching.first, "no \(testCase.kind) error at \(location) among: \(diagnostics)")
        #expect(diagnostic.description.contains(testCase.mentions), "\(diagnostic)")
        #expect(diagnostic.suggestion == testCase.suggestion, "\(diagnostic)")
        #expect(diagnostic.description.hasPrefix("broken.conf:\(testCase.line):\(testCase.column): error: "))
    }

    @Test func everyErrorOfAFileIsReportedNotOnlyTheFirst() {
        let text = Self.storage + """
            Device {
              Name = D
              Media Type = F
              Archive Device = /t
              Maximum Blok Size = 1M
              Label Media = perhaps
              Drive Index = -1
            }
            Autochanger { Name = A; Device = Nope; Changer Device = /dev/sg0; Changer Command = x }
            """
        let (_, diagnostics) = ConfigLoader.load(text: text, name: "many.conf", kind: .storage)
        #expect(diagnostics.errors.map(\.location.line) == [8, 9, 10, 12])
        #expect(diagnostics.errors.first?.description.contains("did you mean \"Maximum Block Size\"?") == true)
    }

    @Test func misspelledBlockSizeNamesLineColumnAndSuggestion() {
        let (_, diagnostics) = ConfigLoader.load(
            text: Self.storage + "Device {\n  Name = D; Media Type = F; Archive Device = /t\n    Maximum Blok Size = 262144\n}\n",
            name: "/etc/capstan/capstan-sd.conf", kind: .storage)
        #expect(
            diagnostics.errors.map(\.description) == [
                "/etc/capstan/capstan-sd.conf:6:5: error: unknown directive \"Maximum Blok Size\" (in Device \"D\"); did you mean \"Maximum Block Size\"?"
            ])
    }

    @Test func textAfterASingleValueIsAWarningAsBaculaIgnoresIt() {
        let (configuration, diagnostics) = ConfigLoader.load(
            text: Self.storage + "Device { Name = D; Media Type = F; Archive Device = /t extra words }\n", name: "w.conf",
            kind: .storage)
        #expect(diagnostics.errors.isEmpty)
        #expect(diagnostics.warnings.count == 1)
        #expect(configuration.resource(ofType: "Device", named: "D")?.string("Archive Device") == "/t")
    }
}

@Suite struct DirectorReferenceTests {
    @Test func everyUndefinedJobReferenceIsReportedWithItsLine() {
        let text = """
            Director { Name = d; Query File = q; Working Directory = /w; Pid Directory = /p; Password = x }
            Messages { Name = Standard; console = all }
            Catalog { Name = C; DB Name = db }
            Job {
              Name = j
              Type = Backup
              Client = nobody-fd
              FileSet = NoSet
              Storage = NoStorage
              Pool = NoPool
              Schedule = NoSchedule
              Messages = Standrad
            }
            """
        let (_, diagnostics) = ConfigLoader.load(text: text, name: "dir.conf", kind: .director)
        let references = diagnostics.errors.filter { $0.kind == .undefinedReference }
        #expect(references.map(\.location.line) == [7, 8, 9, 10, 11, 12])
        #expect(references.map(\.directive) == ["Client", "FileSet", "Storage", "Pool", "Schedule", "Messages"])
        #expect(references.last?.suggestion == "Standard")
        #expect(references.first?.description == "dir.conf:7:3: error: Client \"nobody-fd\" is not defined (no Client resource has that name) (in Job \"j\", directive \"Client\")")
    }

    @Test func aJobWithoutStorageAnywhereIsAnError() {
        let text = """
            Director { Name = d; Query File = q; Working Directory = /w; Pid Directory = /p; Password = x }
            Messages { Name = M; console = all }
            Catalog { Name = C; DB Name = db }
            Client { Name = c; Address = h; Password = p; Catalog = C }
            FileSet { Name = F; Include { File = /etc } }
            Pool { Name = P; Pool Type = Backup }
            Job { Name = j; Type = Backup; Client = c; FileSet = F; Pool = P; Messages = M }
            """
        let (_, diagnostics) = ConfigLoader.load(text: text, name: "dir.conf", kind: .director)
        #expect(diagnostics.errors.map(\.message) == ["Job \"j\" names no Storage, and neither does its Pool"])
    }
}
