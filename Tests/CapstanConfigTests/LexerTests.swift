import CapstanConfig
import Testing

@Suite struct LexerTests {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(text: text, name: "t").tokens.map(\.kind)
    }

    @Test func wordsStringsAndPunctuation() {
        #expect(
            kinds("Device { Name = \"a \\\"b\\\" \\\\c\"; x=y,z }")
                == [
                    .word("Device"), .openBrace, .word("Name"), .equals, .quoted("a \"b\" \\c"), .semicolon, .word("x"),
                    .equals, .word("y"), .comma, .word("z"), .closeBrace, .end,
                ])
    }

    @Test func commentsEndAtTheLineAndHashEndsAWord() {
        #expect(kinds("a = b# comment\nc") == [.word("a"), .equals, .word("b"), .newline, .word("c"), .end])
    }

    @Test func dosLineEndsEndLinesCommentsAndWords() {
        #expect(
            kinds("a = b\r\nc # x\r\nd")
                == [.word("a"), .equals, .word("b"), .newline, .word("c"), .newline, .word("d"), .end])
        let d = Lexer.tokenize(text: "a\r\n\r\n  d", name: "t").tokens.first { $0.kind == .word("d") }
        #expect(d?.location.line == 3 && d?.location.column == 3)
        // A lone "\r" stays white space inside a line.
        #expect(kinds("a\rb") == [.word("a"), .word("b"), .end])
    }

    @Test func locationsAreOneBasedLineAndColumn() {
        let tokens = Lexer.tokenize(text: "A {\n  Name = x\n}", name: "f.conf").tokens
        let name = tokens.first { $0.kind == .word("Name") }
        #expect(name?.location == SourceLocation(file: "f.conf", line: 2, column: 3))
    }

    @Test func quotedStringsKeepNewlinesAndReportWhenUnterminated() {
        let (tokens, diagnostics) = Lexer.tokenize(text: "a = \"x\ny", name: "t")
        #expect(tokens.contains { $0.kind == .quoted("x\ny") })
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.location.line == 1 && diagnostics.first?.location.column == 5)
    }

    @Test func includesSpliceTheirTokensInPlace() {
        let source = InMemoryConfigSource(["/etc/capstan/dev.conf": "Name = D1\n", "main": "Device {\n@/etc/capstan/dev.conf\n}"])
        let (tokens, diagnostics) = Lexer.tokenize(file: "main", source: source)
        #expect(diagnostics.isEmpty)
        let name = tokens.first { $0.kind == .word("D1") }
        #expect(name?.location.file == "/etc/capstan/dev.conf")
    }

    @Test func missingIncludeAndIncludeLoopAreReportedAtTheAt() {
        let source = InMemoryConfigSource(["a": "x = 1\n@b\n", "b": "@a\n"])
        let (_, diagnostics) = Lexer.tokenize(file: "a", source: source)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("include loop") == true)
        let (_, missing) = Lexer.tokenize(text: "Device {\n  @nowhere.conf\n}", name: "m")
        #expect(missing.first?.kind == .include)
        #expect(missing.first?.location == SourceLocation(file: "m", line: 2, column: 3))
    }

    @Test func wildcardIncludesExpandInOrder() {
        let source = InMemoryConfigSource([
            "/c/conf.d/b.conf": "B {}\n", "/c/conf.d/a.conf": "A {}\n", "/c/conf.d/skip.txt": "C {}\n",
            "main": "@/c/conf.d/*.conf\n",
        ])
        let (tokens, _) = Lexer.tokenize(file: "main", source: source)
        #expect(tokens.compactMap { if case .word(let w) = $0.kind { return w } else { return nil } } == ["A", "B"])
    }
}
