/// Writes a typed configuration back as Bacula resource-file text, with every default spelled out. The output
/// parses back to an equal `Configuration` (values are written in exact units; friendly forms go in comments).
public enum ConfigPrinter {
    public static func render(_ configuration: Configuration) -> String {
        var out = "# \(configuration.kind.displayName) configuration as Capstan reads it; (default) marks values the file left out.\n"
        for resource in configuration.resources {
            out += "\n\(resource.type) {\n"
            render(resource.directives, indent: "  ", into: &out)
            out += "}\n"
        }
        return out
    }

    static func render(_ directives: [Directive], indent: String, into out: inout String) {
        for directive in directives {
            for value in directive.values {
                switch value {
                case .block(let block):
                    out += "\(indent)\(directive.name) {\n"
                    render(block.directives, indent: indent + "  ", into: &out)
                    out += "\(indent)}\n"
                case .addresses(let addresses):
                    out += "\(indent)\(directive.name) = {\n"
                    for address in addresses {
                        out += "\(indent)  \(address.family.rawValue) = { addr = \(address.host); port = \(address.port) }\n"
                    }
                    out += "\(indent)}\n"
                default:
                    var line = "\(indent)\(directive.name) = \(text(value))"
                    var notes: [String] = []
                    if directive.isDefault { notes.append("(default)") }
                    if case .size(let bytes) = value, let friendly = Quantities.describeSize(bytes) { notes.append(friendly) }
                    if case .duration(let seconds) = value, seconds >= 60 { notes.append(Quantities.describeDuration(seconds)) }
                    if !notes.isEmpty { line += "  # " + notes.joined(separator: " ") }
                    out += line + "\n"
                }
            }
        }
    }

    /// A string as a quoted Bacula string: `"` and `\` escaped.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// A bare word when the lexer would read it back as one word, otherwise a quoted string.
    static func word(_ text: String) -> String {
        let special: Set<Character> = [" ", "\t", "\n", "\r", "=", "{", "}", ";", ",", "#", "\"", "@"]
        return text.isEmpty || text.contains(where: { special.contains($0) }) ? quote(text) : text
    }

    static func text(_ value: ConfigValue) -> String {
        switch value {
        case .string(let text): return quote(text)
        case .integer(let number): return "\(number)"
        case .size(let bytes): return "\(bytes)"
        case .duration(let seconds): return "\(seconds)"
        case .speed(let bytes): return "\(bytes)"
        case .boolean(let flag): return flag ? "yes" : "no"
        case .keyword(let word): return word
        case .names(let names): return names.map(quote).joined(separator: ", ")
        case .messages(let destination):
            let types = destination.types.map { ($0.included ? "" : "!") + $0.type }.joined(separator: ", ")
            if let address = destination.address { return "\(quote(address)) = \(types)" }
            return types
        case .run(let run):
            let overrides = run.overrides.map { "\($0.name)=\(word($0.value))" }
            return (overrides + run.when).joined(separator: " ")
        case .addresses, .block:
            return ""
        }
    }
}
