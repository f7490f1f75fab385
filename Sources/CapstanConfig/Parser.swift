/// Builds resources and statements from tokens. Recovers from every syntax error at the next line or brace, so a
/// file with several mistakes reports them all.
public struct Parser {
    private var tokens: [Token]
    private var position = 0
    private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(tokens: [Token]) {
        self.tokens = tokens
        if tokens.last?.kind != .end {
            self.tokens.append(Token(.end, at: tokens.last?.location ?? SourceLocation(file: "", line: 1, column: 1)))
        }
    }

    /// Parses a whole file: a sequence of `Type { ... }` resources.
    public static func parse(tokens: [Token]) -> (resources: [ResourceNode], diagnostics: [ConfigDiagnostic]) {
        var parser = Parser(tokens: tokens)
        let resources = parser.parseFile()
        return (resources, parser.diagnostics)
    }

    private var current: Token { tokens[position] }

    private mutating func next() {
        if position < tokens.count - 1 { position += 1 }
    }

    private mutating func skipSeparators() {
        while current.kind == .newline || current.kind == .semicolon { next() }
    }

    /// Reads the words of a name (`Maximum Block Size` is three words); returns nil if the current token is not one.
    private mutating func readName() -> (String, SourceLocation)? {
        var words: [String] = []
        let start = current.location
        while case .word(let word) = current.kind {
            words.append(word)
            next()
        }
        if words.isEmpty, case .quoted(let text) = current.kind {
            next()
            return (text, start)
        }
        return words.isEmpty ? nil : (words.joined(separator: " "), start)
    }

    /// Skips to the end of the current line, leaving a `}` for the caller.
    private mutating func recoverToLineEnd() {
        while true {
            switch current.kind {
            case .newline, .semicolon:
                next()
                return
            case .end, .closeBrace:
                return
            case .openBrace:
                skipBlock()
            default:
                next()
            }
        }
    }

    /// Skips a `{ ... }` block including nested blocks; the current token is the `{`.
    private mutating func skipBlock() {
        var depth = 0
        repeat {
            if current.kind == .openBrace { depth += 1 }
            if current.kind == .closeBrace { depth -= 1 }
            if current.kind == .end { return }
            next()
        } while depth > 0
    }

    private func describe(_ kind: TokenKind) -> String {
        switch kind {
        case .word(let word): return "\"\(word)\""
        case .quoted(let text): return "quoted string \"\(text)\""
        case .equals: return "\"=\""
        case .openBrace: return "\"{\""
        case .closeBrace: return "\"}\""
        case .comma: return "\",\""
        case .semicolon: return "\";\""
        case .newline: return "end of line"
        case .end: return "end of file"
        }
    }

    mutating func parseFile() -> [ResourceNode] {
        var resources: [ResourceNode] = []
        while true {
            skipSeparators()
            if current.kind == .end { break }
            guard let (typeName, location) = readName() else {
                diagnostics.append(
                    ConfigDiagnostic(.syntax, "expected a resource type such as \"Director {\", found \(describe(current.kind))",
                        at: current.location))
                if current.kind == .openBrace { skipBlock() } else { next() }
                continue
            }
            // Tolerate `Type = {` as well as Bacula's `Type {`.
            if current.kind == .equals { next() }
            while current.kind == .newline { next() }
            guard current.kind == .openBrace else {
                diagnostics.append(
                    ConfigDiagnostic(.syntax, "expected \"{\" after resource type \"\(typeName)\", found \(describe(current.kind))",
                        at: current.location, resource: typeName))
                recoverToLineEnd()
                continue
            }
            let brace = current.location
            next()
            let statements = parseBody(opening: brace, context: typeName)
            resources.append(ResourceNode(typeName: typeName, location: location, statements: statements))
        }
        return resources
    }

    /// Parses statements up to the matching `}` (consumed). A missing `}` is reported at the opening brace.
    private mutating func parseBody(opening: SourceLocation, context: String) -> [Statement] {
        var statements: [Statement] = []
        while true {
            skipSeparators()
            switch current.kind {
            case .closeBrace:
                next()
                return statements
            case .end:
                diagnostics.append(
                    ConfigDiagnostic(.syntax, "missing \"}\" to close the \"{\" of \(context) opened here", at: opening,
                        resource: context))
                return statements
            default:
                break
            }
            guard let (name, location) = readName() else {
                diagnostics.append(
                    ConfigDiagnostic(.syntax, "expected a directive name, found \(describe(current.kind))", at: current.location,
                        resource: context))
                if current.kind == .openBrace { skipBlock() } else { recoverToLineEnd() }
                continue
            }
            switch current.kind {
            case .openBrace:
                let brace = current.location
                next()
                let body = parseBody(opening: brace, context: name)
                statements.append(Statement(name: name, location: location, content: .block(body, brace)))
            case .equals:
                next()
                if current.kind == .openBrace {
                    let brace = current.location
                    next()
                    let body = parseBody(opening: brace, context: name)
                    statements.append(Statement(name: name, location: location, content: .block(body, brace)))
                } else {
                    let value = parseValue()
                    if value.isEmpty {
                        diagnostics.append(
                            ConfigDiagnostic(.badValue, "directive \"\(name)\" has no value after \"=\"", at: location,
                                resource: context, directive: name))
                    }
                    statements.append(Statement(name: name, location: location, content: .value(value)))
                }
            default:
                diagnostics.append(
                    ConfigDiagnostic(.syntax, "expected \"=\" after \"\(name)\", found \(describe(current.kind))",
                        at: current.location, resource: context, directive: name))
                recoverToLineEnd()
            }
        }
    }

    /// Collects the value tokens of one directive: up to a newline, `;` or `}`. A line ending in `,` continues.
    private mutating func parseValue() -> [ValueToken] {
        var value: [ValueToken] = []
        while true {
            let location = current.location
            switch current.kind {
            case .word(let word):
                value.append(ValueToken(kind: .word(word), location: location))
            case .quoted(let text):
                value.append(ValueToken(kind: .quoted(text), location: location))
            case .equals:
                value.append(ValueToken(kind: .equals, location: location))
            case .comma:
                value.append(ValueToken(kind: .comma, location: location))
                next()
                while current.kind == .newline { next() }
                continue
            case .newline, .semicolon:
                next()
                return value
            case .closeBrace, .end:
                return value
            case .openBrace:
                diagnostics.append(
                    ConfigDiagnostic(.syntax, "unexpected \"{\" inside a value", at: location))
                skipBlock()
                continue
            }
            next()
        }
    }
}
