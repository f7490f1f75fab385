/// One problem found in a configuration: what is wrong, where, in which resource and directive, and, for a
/// misspelled name, the nearest known one.
public struct ConfigDiagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Equatable, Sendable {
        case syntax
        case include
        case unknownResource
        case unknownDirective
        case badValue
        case missingDirective
        case missingResource
        case duplicateName
        case duplicateDirective
        case undefinedReference
    }

    public enum Severity: String, Equatable, Sendable {
        case error
        case warning
    }

    public var kind: Kind
    public var severity: Severity
    public var location: SourceLocation
    /// The resource the problem is in, as `Type "Name"` (or just `Type` when it has no name yet).
    public var resource: String?
    /// The directive, spelled as the file spells it.
    public var directive: String?
    public var message: String
    /// The nearest known name, for a misspelling.
    public var suggestion: String?

    public init(
        _ kind: Kind, _ message: String, at location: SourceLocation, resource: String? = nil,
        directive: String? = nil, suggestion: String? = nil, severity: Severity = .error
    ) {
        self.kind = kind
        self.severity = severity
        self.location = location
        self.resource = resource
        self.directive = directive
        self.message = message
        self.suggestion = suggestion
    }

    /// `file:line:col: error: message [in Device "Drive0", directive "Media Type"]; did you mean "X"?`
    public var description: String {
        var text = "\(location): \(severity.rawValue): \(message)"
        var context: [String] = []
        if let resource { context.append("in \(resource)") }
        if let directive, !message.contains("\"\(directive)\"") { context.append("directive \"\(directive)\"") }
        if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
        if let suggestion { text += "; did you mean \"\(suggestion)\"?" }
        return text
    }
}

/// Every problem of a configuration, errors and warnings together, in file order.
public struct ConfigDiagnostics: Error, Sendable, CustomStringConvertible {
    public var all: [ConfigDiagnostic]

    public init(_ all: [ConfigDiagnostic]) {
        self.all = all
    }

    public var errors: [ConfigDiagnostic] { all.filter { $0.severity == .error } }
    public var warnings: [ConfigDiagnostic] { all.filter { $0.severity == .warning } }
    public var description: String { all.map(\.description).joined(separator: "\n") }
}
