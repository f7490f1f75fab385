/// Turns configuration text into tokens the way Bacula 9.6's lexer does, expanding `@file` includes in place.
///
/// Contract: never throws; every problem (unterminated string, unreadable include, include loop) becomes a
/// diagnostic and lexing goes on, so one run reports every error of a file. The token list always ends in `.end`.
public struct Lexer {
    /// Includes nest at most this deep; deeper is reported as a loop.
    public static let maximumIncludeDepth = 16

    private let source: ConfigSource
    private(set) var tokens: [Token] = []
    private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(source: ConfigSource) {
        self.source = source
    }

    /// Lexes the file at `path` (read through the source) with its includes.
    public static func tokenize(file path: String, source: ConfigSource) -> (tokens: [Token], diagnostics: [ConfigDiagnostic]) {
        var lexer = Lexer(source: source)
        do {
            let text = try source.contents(of: path)
            lexer.lex(text, file: path, includeStack: [path])
        } catch {
            lexer.diagnostics.append(
                ConfigDiagnostic(.include, "cannot read \"\(path)\": \(error)", at: SourceLocation(file: path, line: 1, column: 1)))
        }
        lexer.tokens.append(Token(.end, at: lexer.tokens.last?.location ?? SourceLocation(file: path, line: 1, column: 1)))
        return (lexer.tokens, lexer.diagnostics)
    }

    /// Lexes text that did not come from a file (`name` is used in locations).
    public static func tokenize(text: String, name: String, source: ConfigSource = InMemoryConfigSource([:]))
        -> (tokens: [Token], diagnostics: [ConfigDiagnostic])
    {
        var lexer = Lexer(source: source)
        lexer.lex(text, file: name, includeStack: [name])
        lexer.tokens.append(Token(.end, at: lexer.tokens.last?.location ?? SourceLocation(file: name, line: 1, column: 1)))
        return (lexer.tokens, lexer.diagnostics)
    }

    private static func endsWord(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n" || c == "=" || c == "{" || c == "}" || c == ";" || c == ","
            || c == "#" || c == "\""
    }

    private mutating func lex(_ text: String, file: String, includeStack: [String]) {
        let chars = Array(text)
        var index = 0
        var line = 1
        var column = 1

        func here() -> SourceLocation { SourceLocation(file: file, line: line, column: column) }
        func advance() {
            if chars[index] == "\n" {
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
            case "\n":
                tokens.append(Token(.newline, at: start))
                advance()
            case "#":
                while index < chars.count, chars[index] != "\n" { advance() }
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
                    while index < chars.count, chars[index] != "\"", chars[index] != "\n" {
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

    private mutating func include(_ target: String, at location: SourceLocation, includeStack: [String]) {
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
