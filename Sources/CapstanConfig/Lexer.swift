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

    /// Space, tab, `\r`, `\n`, `=`, `{`, `}`, `;`, `,`, `#` and `"` end a word: one bit each, by code, so that the
    /// lexer's inner loop tests a bit instead of comparing with each.
    private static func endsWord(_ c: UInt32) -> Bool {
        if c < 64 { return (wordEndsBelow64 >> UInt64(c)) & 1 != 0 }
        if c < 128 { return (wordEndsFrom64 >> UInt64(c - 64)) & 1 != 0 }
        return false
    }

    private static let wordEndsBelow64: UInt64 = [
        LexerCharacters.space, LexerCharacters.tab, LexerCharacters.carriageReturn, LexerCharacters.newline,
        LexerCharacters.equals, LexerCharacters.semicolon, LexerCharacters.comma, LexerCharacters.hash, LexerCharacters.quote,
    ].reduce(0) { $0 | 1 << UInt64($1) }
    private static let wordEndsFrom64: UInt64 = [LexerCharacters.openBrace, LexerCharacters.closeBrace]
        .reduce(0) { $0 | 1 << UInt64($1 - 64) }

    private mutating func lex(_ text: String, file: String, includeStack: [String]) {
        var text = text
        text.makeContiguousUTF8()
        let whole = text
        text.withUTF8 { bytes in lex(LexerCharacters(text: whole, bytes: bytes), file: file, includeStack: includeStack) }
    }

    /// The text's characters in order (`Character`s, as Bacula's lexer reads a file's bytes but with the meaning Swift
    /// gives text: a letter with its combining marks is one character; a `"\r\n"` pair is one character that ends a
    /// line as `"\n"` does, so a file with DOS line ends reads as the same file with Unix ones).
    private mutating func lex(_ characters: LexerCharacters, file: String, includeStack: [String]) {
        var chars = characters
        var line = 1
        var column = 1

        func here() -> SourceLocation { SourceLocation(file: file, line: line, column: column) }
        func advance() {
            if chars.code == LexerCharacters.newline {
                line += 1
                column = 1
            } else {
                column += 1
            }
            chars.advance()
        }

        while !chars.atEnd {
            let c = chars.code
            let start = here()
            switch c {
            case LexerCharacters.space, LexerCharacters.tab, LexerCharacters.carriageReturn, LexerCharacters.byteOrderMark:
                advance()
            case LexerCharacters.newline:
                tokens.append(Token(.newline, at: start))
                advance()
            case LexerCharacters.hash:
                while !chars.atEnd, chars.code != LexerCharacters.newline { advance() }
            case LexerCharacters.equals:
                tokens.append(Token(.equals, at: start))
                advance()
            case LexerCharacters.openBrace:
                tokens.append(Token(.openBrace, at: start))
                advance()
            case LexerCharacters.closeBrace:
                tokens.append(Token(.closeBrace, at: start))
                advance()
            case LexerCharacters.comma:
                tokens.append(Token(.comma, at: start))
                advance()
            case LexerCharacters.semicolon:
                tokens.append(Token(.semicolon, at: start))
                advance()
            case LexerCharacters.quote:
                advance()
                var value: [UInt8] = []
                var closed = false
                while !chars.atEnd {
                    let d = chars.code
                    if d == LexerCharacters.backslash, chars.hasNext {
                        advance()
                        value.append(contentsOf: chars.current)
                        advance()
                    } else if d == LexerCharacters.quote {
                        advance()
                        closed = true
                        break
                    } else {
                        value.append(contentsOf: chars.current)
                        advance()
                    }
                }
                if !closed {
                    diagnostics.append(ConfigDiagnostic(.syntax, "unterminated quoted string", at: start))
                }
                tokens.append(Token(.quoted(String(decoding: value, as: UTF8.self)), at: start))
            case LexerCharacters.at:
                advance()
                let target: String
                if !chars.atEnd, chars.code == LexerCharacters.quote {
                    advance()
                    let from = chars.offset
                    while !chars.atEnd, chars.code != LexerCharacters.quote, chars.code != LexerCharacters.newline {
                        advance()
                    }
                    target = chars.text(from: from)
                    if !chars.atEnd, chars.code == LexerCharacters.quote { advance() }
                } else {
                    let from = chars.offset
                    while !chars.atEnd, !Self.endsWord(chars.code) { advance() }
                    target = chars.text(from: from)
                }
                include(target, at: start, includeStack: includeStack)
            default:
                let from = chars.offset
                while !chars.atEnd, !Self.endsWord(chars.code) { advance() }
                tokens.append(Token(.word(chars.text(from: from)), at: start))
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

/// A text's characters for the lexer, walked in its UTF-8 bytes: each character is known by a code (its byte for an
/// ASCII character, `byteOrderMark` for U+FEFF, `other` for the rest) without making a `Character` of it. Where a
/// character is one ASCII byte followed by another ASCII byte (or the end), that byte is the whole character — two
/// ASCII characters always part, except `"\r\n"`, which is one character with the code of `"\n"` (a line end, as
/// Bacula reads it: `"\r"` is white space before the `"\n"`) — so most of a file is read byte by byte; anywhere else
/// the character is taken from the `String` and compared as `Character`s compare, so every character has the extent
/// and the meaning it has in the text's `Character`s: a letter with combining marks is one character, and a character
/// equal to a punctuation mark counts as that mark.
struct LexerCharacters {
    static let tab: UInt32 = 0x09
    static let newline: UInt32 = 0x0A
    static let carriageReturn: UInt32 = 0x0D
    static let space: UInt32 = 0x20
    static let quote: UInt32 = 0x22
    static let hash: UInt32 = 0x23
    static let comma: UInt32 = 0x2C
    static let semicolon: UInt32 = 0x3B
    static let equals: UInt32 = 0x3D
    static let at: UInt32 = 0x40
    static let backslash: UInt32 = 0x5C
    static let openBrace: UInt32 = 0x7B
    static let closeBrace: UInt32 = 0x7D
    static let byteOrderMark: UInt32 = 0xFEFF
    static let other: UInt32 = 0x1_0000

    private let text: String
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Where the current character starts (a byte offset).
    private(set) var offset = 0
    /// The current character's code; meaningless at the end.
    private(set) var code: UInt32 = 0
    /// The current character's length in bytes.
    private var length = 0

    /// `bytes` are `text`'s UTF-8 bytes.
    init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.text = text
        self.bytes = bytes
        load()
    }

    var atEnd: Bool { offset >= bytes.count }

    /// Whether another character follows the current one.
    var hasNext: Bool { offset + length < bytes.count }

    /// The current character's bytes.
    var current: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]) }

    /// The characters from byte offset `from` up to the current one, as text.
    func text(from: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<offset]), as: UTF8.self) }

    mutating func advance() {
        offset += length
        load()
    }

    private mutating func load() {
        guard offset < bytes.count else {
            length = 0
            return
        }
        let byte = bytes[offset]
        if byte < 0x80 {
            let next = offset + 1 < bytes.count ? bytes[offset + 1] : 0
            if byte == 0x0D && next == 0x0A {
                // A grapheme cluster ends after "\r\n" whatever follows, so the pair is the whole character.
                code = Self.newline
                length = 2
                return
            }
            if next < 0x80 {
                code = UInt32(byte)
                length = 1
                return
            }
        }
        let character = text[text.utf8.index(text.utf8.startIndex, offsetBy: offset)]
        length = character.utf8.count
        code = Self.code(of: character)
    }

    /// The code of a character that may be more than one byte, by `Character` equality.
    static func code(of character: Character) -> UInt32 {
        switch character {
        case "\t": return tab
        case "\n", "\r\n": return newline
        case "\r": return carriageReturn
        case " ": return space
        case "\"": return quote
        case "#": return hash
        case ",": return comma
        case ";": return semicolon
        case "=": return equals
        case "@": return at
        case "\\": return backslash
        case "{": return openBrace
        case "}": return closeBrace
        case "\u{FEFF}": return byteOrderMark
        default: return other
        }
    }
}
