/// A console command line split as Bacula splits it: the first word is the command, the rest are `keyword` or
/// `keyword=value` items; values may be double-quoted (`where="/tmp/a b"`). Keywords compare case-insensitively.
public struct ConsoleArguments: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var keyword: String
        public var value: String?
    }

    public var command: String
    public var items: [Item]

    /// Parses one command line; an empty line has an empty command.
    public init(_ line: String) {
        var words: [Item] = []
        var keyword = ""
        var value: String?
        var inQuotes = false
        var current = ""
        var sawEquals = false
        func flush() {
            if sawEquals {
                value = current
            } else {
                keyword = current
            }
            if !keyword.isEmpty || value != nil { words.append(Item(keyword: keyword, value: value)) }
            keyword = ""
            value = nil
            current = ""
            sawEquals = false
        }
        for character in line {
            if inQuotes {
                if character == "\"" { inQuotes = false } else { current.append(character) }
                continue
            }
            switch character {
            case "\"": inQuotes = true
            case " ", "\t", "\n", "\r":
                if !current.isEmpty || sawEquals { flush() }
            case "=" where !sawEquals:
                keyword = current
                current = ""
                sawEquals = true
            default: current.append(character)
            }
        }
        if !current.isEmpty || sawEquals { flush() }
        command = words.first?.keyword.lowercased() ?? ""
        items = Array(words.dropFirst())
    }

    /// The value of the first item called `keyword` (nil when absent or given without a value).
    public func value(_ keyword: String) -> String? {
        items.first { $0.keyword.lowercased() == keyword.lowercased() }?.value
    }

    /// Whether an item called `keyword` is present (with or without a value).
    public func has(_ keyword: String) -> Bool {
        items.contains { $0.keyword.lowercased() == keyword.lowercased() }
    }

    /// The first item's keyword, lowercased (`status dir` → `dir`).
    public var firstKeyword: String? { items.first?.keyword.lowercased() }
}
