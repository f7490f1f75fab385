import CapstanTestSupport
import CapstanConfig
import Testing

/// The lexer reads a file's bytes and makes a `Character` only where a character is more than one byte; tokens,
/// locations and diagnostics are those of the lexer that walked an array of the text's `Character`s (kept below as
/// the reference), on texts made at random from punctuation, white space, `"\r\n"`, a byte order mark, combining
/// marks, characters that combine with what follows or precedes them, and a character equal to `;`.
@Suite struct LexerEquivalenceTests {
    @Test func tokensAreThoseOfTheCharacterLexerOnRandomTexts() {
        let pieces = [
            "=", "{", "}", ";", ",", "#", "\"", "\\", "@", " ", "\t", "\r", "\n", "\r\n", "\u{FEFF}", "\u{301}", "\u{E9}",
            "e\u{301}", "\u{37E}", "\u{600}", "\u{200D}", "\u{1F1E9}", "\u{1F1EA}", "\u{1F44D}", "\u{1F3FD}", "\u{903}", "a",
            "Name", "x", "inc.conf", "\u{212A}", "/", "*",
        ]
        let source = InMemoryConfigSource(["inc.conf": "Name = \"i\u{301}\"\r\n", "x": "{ ;\u{37E} }"])
        var random = SeededRandom(seed: 5)
        for round in 0..<20_000 {
            let text = (0..<random.below(round < 10_000 ? 12 : 60)).map { _ in pieces[random.below(pieces.count)] }.joined()
            let expected = CharacterLexer.tokenize(text: text, name: "t.conf", source: source)
            let actual = Lexer.tokenize(text: text, name: "t.conf", source: source)
            #expect(actual.tokens == expected.tokens, "\(text.debugDescription)")
            #expect(actual.diagnostics == expected.diagnostics, "\(text.debugDescription)")
            // The same bytes, not only equal strings (String equality ignores canonical differences).
            #expect(actual.tokens.map(Self.bytes) == expected.tokens.map(Self.bytes), "\(text.debugDescription)")
        }
    }

    @Test func aGreekQuestionMarkEndsAStatementAsASemicolonDoes() {
        let tokens = Lexer.tokenize(text: "a\u{37E}b", name: "t.conf").tokens.map(\.kind)
        #expect(tokens == [.word("a"), .semicolon, .word("b"), .end])
    }

    static func bytes(_ token: Token) -> [UInt8] {
        switch token.kind {
        case .word(let text), .quoted(let text): return Array(text.utf8)
        default: return []
        }
    }
}

/// The lexer as it was before it read bytes: over `Array(text)`, comparing `Character`s, where `"\r\n"` (one
/// `Character`) is a line end as `"\n"` is.
private struct CharacterLexer {
    static let maximumIncludeDepth = 16

    private let source: any ConfigSource
    private(set) var tokens: [Token] = []
    private(set) var diagnostics: [ConfigDiagnostic] = []

    init(source: any ConfigSource) {
        self.source = source
    }

    static func tokenize(text: String, name: String, source: any ConfigSource) -> (tokens: [Token], diagnostics: [ConfigDiagnostic]) {
        var lexer = CharacterLexer(source: source)
        lexer.lex(text, file: name, includeStack: [name])
        lexer.tokens.append(Token(.end, at: lexer.tokens.last?.location ?? CapstanConfig.SourceLocation(file: name, line: 1, column: 1)))
        return (lexer.tokens, lexer.diagnostics)
    }

    static func endsWord(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" || c == "=" || c == "{" || c == "}" || c == ";"
            || c == "," || c == "#" || c == "\""
    }

    mutating func lex(_ text: String, file: String, includeStack: [String]) {
        let chars = Array(text)
        var index = 0
        var line = 1
        var column = 1

        func here() -> CapstanConfig.SourceLocation { CapstanConfig.SourceLocation(file: file, line: line, column: column) }
        func advance() {
            if chars[index] == "\n" || chars[index] == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }

        while index < chars.count {
            let c = chars[index]
            let start = here()
            switch c {
            case " ", "\t", "\r", "\u{FEFF}":
                advance()
            case "\n", "\r\n":
                tokens.append(Token(.newline, at: start))
                advance()
            case "#":
                while index < chars.count, chars[index] != "\n", chars[index] != "\r\n" { advance() }
            case "=":
                tokens.append(Token(.equals, at: start))
                advance()
            case "{":
                tokens.append(Token(.openBrace, at: start))
                advance()
            case "}":
                tokens.append(Token(.closeBrace, at: start))
                advance()
            case ",":
                tokens.append(Token(.comma, at: start))
                advance()
            case ";":
                tokens.append(Token(.semicolon, at: start))
                advance()
            case "\"":
                advance()
                var value = ""
                var closed = false
                while index < chars.count {
                    let d = chars[index]
                    if d == "\\", index + 1 < chars.count {
                        advance()
                        value.append(chars[index])
                        advance()
                    } else if d == "\"" {
                        advance()
                        closed = true
                        break
                    } else {
                        value.append(d)
                        advance()
                    }
                }
                if !closed {
                    diagnostics.append(ConfigDiagnostic(.syntax, "unterminated quoted string", at: start))
                }
                tokens.append(Token(.quoted(value), at: start))
            case "@":
                advance()
                var target = ""
                if index < chars.count, chars[index] == "\"" {
                    advance()
                    while index < chars.count, chars[index] != "\"", chars[index] != "\n", chars[index] != "\r\n" {
                        target.append(chars[index])
                        advance()
                    }
                    if index < chars.count, chars[index] == "\"" { advance() }
                } else {
                    while index < chars.count, !Self.endsWord(chars[index]) {
                        target.append(chars[index])
                        advance()
                    }
                }
                include(target, at: start, includeStack: includeStack)
            default:
                var word = ""
                while index < chars.count, !Self.endsWord(chars[index]) {
                    word.append(chars[index])
                    advance()
                }
                tokens.append(Token(.word(word), at: start))
            }
        }
    }

    mutating func include(_ target: String, at location: CapstanConfig.SourceLocation, includeStack: [String]) {
        guard !target.isEmpty else {
            diagnostics.append(ConfigDiagnostic(.include, "\"@\" must be followed by a file name", at: location))
            return
        }
        if target.hasPrefix("|") {
            diagnostics.append(
                ConfigDiagnostic(
                    .include, "command includes (\"@|\(target.dropFirst())\") are not supported; include a file instead",
                    at: location))
            return
        }
        let paths: [String]
        do {
            paths = try source.expand(pattern: target)
        } catch {
            diagnostics.append(ConfigDiagnostic(.include, "cannot expand include \"\(target)\": \(error)", at: location))
            return
        }
        for path in paths {
            if includeStack.contains(path) || includeStack.count >= Self.maximumIncludeDepth {
                diagnostics.append(ConfigDiagnostic(.include, "include loop: \"\(path)\" includes itself", at: location))
                continue
            }
            do {
                let text = try source.contents(of: path)
                lex(text, file: path, includeStack: includeStack + [path])
                // An included file acts as if its text stood here; end its last line.
                tokens.append(Token(.newline, at: location))
            } catch {
                diagnostics.append(ConfigDiagnostic(.include, "cannot read included file \"\(path)\": \(error)", at: location))
            }
        }
    }
}

