/// Gives a statement's tokens the type its directive asks for. Every failure is a diagnostic naming the
/// directive and the offending text; nothing here throws.
struct ValueTyping {
    var resourceLabel: String
    var diagnostics: [ConfigDiagnostic] = []

    static let messageTypes = [
        "all", "debug", "info", "warning", "error", "fatal", "terminate", "saved", "notsaved", "skipped", "mount",
        "restored", "security", "alert", "volmgmt", "audit", "events",
    ]

    static let runOverrides = [
        "Level", "Pool", "Storage", "Messages", "FullPool", "IncrementalPool", "DifferentialPool", "NextPool",
        "Accurate", "SpoolData", "WritePartAfterJob", "MaxRunSchedTime", "Priority", "MaxConnectTime",
    ]

    static let levelWords = [
        "Full", "Incremental", "Differential", "VirtualFull", "Base", "Since", "InitCatalog", "Catalog",
        "VolumeToCatalog", "DiskToCatalog", "Data",
    ]

    mutating func fail(_ message: String, at location: SourceLocation, directive: String, suggestion: String? = nil) {
        diagnostics.append(
            ConfigDiagnostic(.badValue, message, at: location, resource: resourceLabel, directive: directive,
                suggestion: suggestion))
    }

    mutating func warn(_ message: String, at location: SourceLocation, directive: String) {
        diagnostics.append(
            ConfigDiagnostic(.badValue, message, at: location, resource: resourceLabel, directive: directive, severity: .warning))
    }

    /// Types a `Name = value` statement. Returns nil (with a diagnostic) when the value is unusable.
    mutating func type(_ tokens: [ValueToken], as spec: DirectiveSpec, written name: String, at location: SourceLocation)
        -> ConfigValue?
    {
        switch spec.kind {
        case .name, .string, .password, .path, .address, .reference:
            guard let text = single(tokens, directive: name, at: location) else { return nil }
            if spec.kind == .name || { if case .reference = spec.kind { return true } else { return false } }() {
                guard isValidName(text) else {
                    fail("\"\(text)\" is not a valid name (1 to 127 characters, no control characters)",
                        at: tokens.first?.location ?? location, directive: name)
                    return nil
                }
            }
            return .string(text)
        case .integer(let range):
            guard let text = single(tokens, directive: name, at: location) else { return nil }
            guard let number = Int64(text), range.contains(number) else {
                fail("\"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)",
                    at: tokens.first?.location ?? location, directive: name)
                return nil
            }
            return .integer(number)
        case .size, .duration, .speed:
            let text = words(tokens).joined(separator: " ")
            let parsed: ConfigValue?
            switch spec.kind {
            case .size: parsed = Quantities.size(text).map(ConfigValue.size)
            case .duration: parsed = Quantities.duration(text).map(ConfigValue.duration)
            default: parsed = Quantities.speed(text).map(ConfigValue.speed)
            }
            guard let parsed, !tokens.contains(where: { $0.kind == .equals || $0.kind == .comma }) else {
                let what: String
                switch spec.kind {
                case .size: what = "a size such as 1048576, 64K, 500 MB or 2G"
                case .duration: what = "a duration such as 300, 5 min or 1 day 2 hours"
                default: what = "a speed such as 10 mb/s"
                }
                fail("\"\(text)\" is not \(what)", at: tokens.first?.location ?? location, directive: name)
                return nil
            }
            return parsed
        case .boolean:
            guard let text = single(tokens, directive: name, at: location) else { return nil }
            switch text.lowercased() {
            case "yes", "true": return .boolean(true)
            case "no", "false": return .boolean(false)
            default:
                fail("\"\(text)\" is not yes or no", at: tokens.first?.location ?? location, directive: name)
                return nil
            }
        case .booleanOrReference:
            guard let text = single(tokens, directive: name, at: location) else { return nil }
            switch text.lowercased() {
            case "yes", "true": return .boolean(true)
            case "no", "false": return .boolean(false)
            default:
                guard isValidName(text) else {
                    fail("\"\(text)\" is neither yes/no nor a valid name", at: tokens.first?.location ?? location, directive: name)
                    return nil
                }
                return .string(text)
            }
        case .keyword(let allowed):
            guard let text = single(tokens, directive: name, at: location) else { return nil }
            if let match = allowed.first(where: { configNamesMatch($0, text) }) { return .keyword(match) }
            fail("\"\(text)\" is not one of: \(allowed.joined(separator: ", "))", at: tokens.first?.location ?? location,
                directive: name, suggestion: NameSuggestion.nearest(to: text, in: allowed))
            return nil
        case .references, .stringList:
            guard let names = list(tokens, directive: name, at: location) else { return nil }
            if case .references = spec.kind {
                for (text, tokenLocation) in names where !isValidName(text) {
                    fail("\"\(text)\" is not a valid name", at: tokenLocation, directive: name)
                    return nil
                }
            }
            return .names(names.map(\.0))
        case .messageDestination(let takesAddress):
            return messageDestination(tokens, spec: spec, takesAddress: takesAddress, directive: name, at: location)
        case .scheduleRun:
            return scheduleRun(tokens, directive: name, at: location)
        case .addresses, .block:
            fail("\"\(name)\" takes a block in braces: \(name) { ... }", at: location, directive: name)
            return nil
        }
    }

    func isValidName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 127 && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    func words(_ tokens: [ValueToken]) -> [String] { tokens.compactMap(\.text) }

    /// The one word or string a simple directive takes; text after it is ignored with a warning, as Bacula ignores it.
    mutating func single(_ tokens: [ValueToken], directive: String, at location: SourceLocation) -> String? {
        guard let first = tokens.first, let text = first.text else {
            fail("\"\(directive)\" needs a value", at: tokens.first?.location ?? location, directive: directive)
            return nil
        }
        if tokens.count > 1 {
            let rest = tokens.dropFirst().map { $0.text ?? ($0.kind == .equals ? "=" : ",") }.joined(separator: " ")
            warn("text after the value is ignored: \"\(rest)\" (quote the value if it contains spaces)",
                at: tokens[1].location, directive: directive)
        }
        return text
    }

    /// `a, b, c` (also `a b c`, which Bacula reads as a list too).
    mutating func list(_ tokens: [ValueToken], directive: String, at location: SourceLocation) -> [(String, SourceLocation)]? {
        var names: [(String, SourceLocation)] = []
        for token in tokens {
            switch token.kind {
            case .word(let text), .quoted(let text): names.append((text, token.location))
            case .comma: continue
            case .equals:
                fail("unexpected \"=\" in a list of names", at: token.location, directive: directive)
                return nil
            }
        }
        if names.isEmpty {
            fail("\"\(directive)\" needs at least one name", at: location, directive: directive)
            return nil
        }
        return names
    }

    mutating func messageDestination(
        _ tokens: [ValueToken], spec: DirectiveSpec, takesAddress: Bool, directive: String, at location: SourceLocation
    ) -> ConfigValue? {
        var rest = tokens[...]
        var address: String?
        if takesAddress {
            // `mail = a@x, b@y = all, !skipped`: everything before the first `=` is the address list.
            guard let equals = tokens.firstIndex(where: { $0.kind == .equals }), equals > 0 else {
                fail("\"\(directive)\" needs an address and message types: \(directive) = ADDRESS = all, !skipped",
                    at: tokens.first?.location ?? location, directive: directive)
                return nil
            }
            let parts = tokens[..<equals].compactMap(\.text)
            guard !parts.isEmpty else {
                fail("\"\(directive)\" needs an address before \"=\"", at: location, directive: directive)
                return nil
            }
            address = parts.joined(separator: ",")
            rest = tokens[(equals + 1)...]
        }
        var selectors: [MessageTypeSelector] = []
        var expectType = true
        for token in rest {
            switch token.kind {
            case .comma:
                expectType = true
            case .word(var text), .quoted(var text):
                guard expectType else {
                    fail("message types are separated by commas", at: token.location, directive: directive)
                    return nil
                }
                var included = true
                if text.hasPrefix("!") {
                    included = false
                    text.removeFirst()
                }
                let lowered = text.lowercased()
                guard Self.messageTypes.contains(lowered) else {
                    fail("\"\(text)\" is not a message type", at: token.location, directive: directive,
                        suggestion: NameSuggestion.nearest(to: lowered, in: Self.messageTypes))
                    return nil
                }
                selectors.append(MessageTypeSelector(type: lowered, included: included))
                expectType = false
            case .equals:
                fail(takesAddress ? "too many \"=\"" : "\"\(directive)\" takes no address: \(directive) = all, !skipped",
                    at: token.location, directive: directive)
                return nil
            }
        }
        guard !selectors.isEmpty else {
            fail("\"\(directive)\" needs message types such as all, !skipped", at: location, directive: directive)
            return nil
        }
        return .messages(MessageDestination(destination: spec.name, address: address, types: selectors))
    }

    mutating func scheduleRun(_ tokens: [ValueToken], directive: String, at location: SourceLocation) -> ConfigValue? {
        var overrides: [ScheduleRun.Override] = []
        var when: [String] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            guard let text = token.text else {
                if token.kind == .comma {
                    when.append(",")
                    index += 1
                    continue
                }
                fail("unexpected \"=\" in a Run line", at: token.location, directive: directive)
                return nil
            }
            if index + 1 < tokens.count, tokens[index + 1].kind == .equals {
                guard let override = Self.runOverrides.first(where: { configNamesMatch($0, text) })
                else {
                    fail("\"\(text)\" is not a Run override", at: token.location, directive: directive,
                        suggestion: NameSuggestion.nearest(to: text, in: Self.runOverrides))
                    return nil
                }
                guard index + 2 < tokens.count, let value = tokens[index + 2].text else {
                    fail("\"\(text)=\" needs a value", at: token.location, directive: directive)
                    return nil
                }
                overrides.append(ScheduleRun.Override(name: override, value: value))
                index += 3
                continue
            }
            if when.isEmpty, let level = Self.levelWords.first(where: { $0.lowercased() == text.lowercased() }) {
                overrides.append(ScheduleRun.Override(name: "Level", value: level))
                index += 1
                continue
            }
            let lowered = text.lowercased()
            guard ScheduleWords.isValid(lowered) else {
                fail("\"\(text)\" is not part of a schedule (expected words such as 1st, sun, mon-fri, jan, w01, daily, at 23:05)",
                    at: token.location, directive: directive)
                return nil
            }
            when.append(lowered)
            index += 1
        }
        return .run(ScheduleRun(overrides: overrides, when: when))
    }
}

/// The words of a Schedule `Run` time specification.
enum ScheduleWords {
    static let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    static let longDays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let longMonths = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ]
    static let ordinals = ["1st", "2nd", "3rd", "4th", "5th", "first", "second", "third", "fourth", "fifth", "last", "6th"]
    static let keywords = ["at", "on", "hourly", "daily", "weekly", "monthly", "every", "lastday"]

    static func isValid(_ word: String) -> Bool {
        let pieces = word.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count <= 2, !pieces.contains(where: \.isEmpty) else { return false }
        return pieces.allSatisfy { isAtom(String($0)) }
    }

    static func isAtom(_ word: String) -> Bool {
        if days.contains(word) || longDays.contains(word) || months.contains(word) || longMonths.contains(word)
            || ordinals.contains(word) || keywords.contains(word)
        {
            return true
        }
        if let day = Int(word) { return (0...31).contains(day) }
        if word.hasPrefix("w"), let week = Int(word.dropFirst()), word.count == 3 { return (0...53).contains(week) }
        return isTime(word)
    }

    /// `23:05`, `1:05pm`, `:15` (minutes past, for hourly).
    static func isTime(_ word: String) -> Bool {
        var text = Substring(word)
        if text.hasSuffix("am") || text.hasSuffix("pm") { text = text.dropLast(2) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let minute = Int(parts[1]), (0...59).contains(minute) else { return false }
        if parts[0].isEmpty { return true }
        guard let hour = Int(parts[0]) else { return false }
        return (0...23).contains(hour)
    }
}
