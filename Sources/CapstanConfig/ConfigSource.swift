/// Where the lexer gets file contents from: the one seam between the pure configuration language and the file
/// system. The daemons use `FileSystemConfigSource` (in CapstanCLI); tests use `InMemoryConfigSource`.
public protocol ConfigSource: Sendable {
    /// The text of the file at `path`, which is absolute or relative to the process's working directory.
    func contents(of path: String) throws -> String
    /// The files an `@` include names. `pattern` may hold shell wildcards (`*`, `?`, `[...]`); the result is sorted.
    /// A pattern without wildcards yields itself, whether or not the file exists.
    func expand(pattern: String) throws -> [String]
}

/// A set of named in-memory files, for tests and for text that never touched a disk.
public struct InMemoryConfigSource: ConfigSource {
    public var files: [String: String]

    public init(_ files: [String: String]) {
        self.files = files
    }

    public struct MissingFile: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "No such file or directory" }

        public init(path: String) {
            self.path = path
        }
    }

    public func contents(of path: String) throws -> String {
        guard let text = files[path] else { throw MissingFile(path: path) }
        return text
    }

    public func expand(pattern: String) throws -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        return files.keys.filter { Wildcard.matches(pattern: pattern, path: $0) }.sorted()
    }
}

/// Shell-style wildcard matching of a whole path (`*` and `?` do not cross `/`; `[...]` is a character class).
public enum Wildcard {
    public static func matches(pattern: String, path: String) -> Bool {
        matches(Array(pattern), 0, Array(path), 0)
    }

    private static func matches(_ pattern: [Character], _ p: Int, _ text: [Character], _ t: Int) -> Bool {
        if p == pattern.count { return t == text.count }
        switch pattern[p] {
        case "*":
            var index = t
            while true {
                if matches(pattern, p + 1, text, index) { return true }
                if index == text.count || text[index] == "/" { return false }
                index += 1
            }
        case "?":
            return t < text.count && text[t] != "/" && matches(pattern, p + 1, text, t + 1)
        case "[":
            guard t < text.count, let close = pattern[(p + 1)...].firstIndex(of: "]") else {
                return t < text.count && text[t] == "[" && matches(pattern, p + 1, text, t + 1)
            }
            var set = Array(pattern[(p + 1)..<close])
            let negate = set.first == "!" || set.first == "^"
            if negate { set.removeFirst() }
            var found = false
            var index = 0
            while index < set.count {
                if index + 2 < set.count, set[index + 1] == "-" {
                    if set[index] <= text[t] && text[t] <= set[index + 2] { found = true }
                    index += 3
                } else {
                    if set[index] == text[t] { found = true }
                    index += 1
                }
            }
            return found != negate && matches(pattern, close + 1, text, t + 1)
        default:
            return t < text.count && text[t] == pattern[p] && matches(pattern, p + 1, text, t + 1)
        }
    }
}
