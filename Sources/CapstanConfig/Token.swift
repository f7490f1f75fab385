/// One lexical unit of the Bacula resource-file language.
public enum TokenKind: Equatable, Sendable {
    /// An unquoted word: ends at white space, `=`, `{`, `}`, `;`, `,`, `#` or a quote.
    case word(String)
    /// A double-quoted string with its backslash escapes already resolved.
    case quoted(String)
    case equals
    case openBrace
    case closeBrace
    case comma
    case semicolon
    case newline
    case end
}

/// A token and where it starts.
public struct Token: Equatable, Sendable {
    public var kind: TokenKind
    public var location: SourceLocation

    public init(_ kind: TokenKind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The text of a word or quoted string; nil for punctuation.
    var text: String? {
        switch kind {
        case .word(let text), .quoted(let text): return text
        default: return nil
        }
    }
}
