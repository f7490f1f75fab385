#if canImport(Glibc)
import Glibc
#endif

/// A restore's `regexwhere=` (spec §3.2.8): a comma-separated list of substitutions `<s>from<s>to<s>[ig]`, where `<s>`
/// is any separator character (commonly `!`), `from` a POSIX extended regular expression, `to` the replacement
/// with `$1`…`$9` (or `\1`…`\9`) for the groups; `i` ignores case, `g` replaces every match. The Director turns
/// Strip Prefix / Add Prefix / Add Suffix into such a list. Each substitution applies to the result of the one
/// before. Paths are bytes.
public final class RegexWhere: @unchecked Sendable {
    struct Rule {
        var expression: UnsafeMutablePointer<regex_t>
        var replacement: [UInt8]
        var global: Bool
    }

    private let rules: [Rule]

    /// Compiles `text`; throws naming the substitution that does not parse or compile.
    public init(_ text: String) throws(RegexWhereError) {
        var rules: [Rule] = []
        for piece in Self.split(Array(text.utf8)) where !piece.isEmpty {
            let separator = piece[0]
            var fields: [[UInt8]] = [[]]
            var index = 1
            while index < piece.count {
                let byte = piece[index]
                if byte == UInt8(ascii: "\\"), index + 1 < piece.count, piece[index + 1] == separator {
                    fields[fields.count - 1].append(separator)
                    index += 2
                    continue
                }
                if byte == separator { fields.append([]) } else { fields[fields.count - 1].append(byte) }
                index += 1
            }
            let text = String(decoding: piece, as: UTF8.self)
            guard fields.count == 3, !fields[0].isEmpty else {
                for rule in rules { regfree(rule.expression); rule.expression.deallocate() }
                throw RegexWhereError(substitution: text, reason: "expected <s>from<s>to<s>[flags]")
            }
            let flags = fields[2]
            if let refusal = RegexExpansion.refusal(fields[0]) {
                for rule in rules { regfree(rule.expression); rule.expression.deallocate() }
                throw RegexWhereError(substitution: text, reason: refusal)
            }
            let expression = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
            let cflags = REG_EXTENDED | (flags.contains(UInt8(ascii: "i")) ? REG_ICASE : 0)
            let status = (fields[0] + [0]).withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { regcomp(expression, $0, cflags) }
            }
            guard status == 0 else {
                expression.deallocate()
                for rule in rules { regfree(rule.expression); rule.expression.deallocate() }
                throw RegexWhereError(substitution: text, reason: "the expression does not compile (regcomp \(status))")
            }
            rules.append(Rule(expression: expression, replacement: fields[1], global: flags.contains(UInt8(ascii: "g"))))
        }
        self.rules = rules
    }

    deinit {
        for rule in rules {
            regfree(rule.expression)
            rule.expression.deallocate()
        }
    }

    /// The path after every substitution.
    public func apply(_ path: [UInt8]) -> [UInt8] {
        rules.reduce(path) { substitute($0, $1) }
    }

    private func substitute(_ path: [UInt8], _ rule: Rule) -> [UInt8] {
        var out: [UInt8] = []
        var rest = path[...]
        var first = true
        while first || rule.global {
            var matches = [regmatch_t](repeating: regmatch_t(), count: 10)
            let subject = Array(rest) + [0]
            let found = subject.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    regexec(rule.expression, $0, 10, &matches, first ? 0 : REG_NOTBOL) == 0
                }
            }
            guard found else { break }
            let start = Int(matches[0].rm_so), end = Int(matches[0].rm_eo)
            let base = rest.startIndex
            out += rest[base..<(base + start)]
            out += expand(rule.replacement, matches: matches, in: Array(rest))
            if end == start {  // an empty match: step over one byte so a global rule ends
                if base + end < rest.endIndex { out.append(rest[base + end]) }
                rest = rest[min(rest.endIndex, base + end + 1)...]
            } else {
                rest = rest[(base + end)...]
            }
            first = false
            if rest.isEmpty { break }
        }
        return out + rest
    }

    private func expand(_ replacement: [UInt8], matches: [regmatch_t], in subject: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < replacement.count {
            let byte = replacement[index]
            if (byte == UInt8(ascii: "$") || byte == UInt8(ascii: "\\")), index + 1 < replacement.count,
                replacement[index + 1] >= UInt8(ascii: "0"), replacement[index + 1] <= UInt8(ascii: "9")
            {
                let group = Int(replacement[index + 1] - UInt8(ascii: "0"))
                let m = matches[group]
                if m.rm_so >= 0, m.rm_eo >= m.rm_so, Int(m.rm_eo) <= subject.count { out += subject[Int(m.rm_so)..<Int(m.rm_eo)] }
                index += 2
                continue
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    /// Splits on commas that are not escaped with a backslash.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var pieces: [[UInt8]] = [[]]
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ",") {
                pieces[pieces.count - 1].append(UInt8(ascii: ","))
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: ",") { pieces.append([]) } else { pieces[pieces.count - 1].append(bytes[index]) }
            index += 1
        }
        return pieces
    }
}

/// A `regexwhere=` substitution that cannot be used, and why.
public struct RegexWhereError: Error, Hashable, Sendable, CustomStringConvertible {
    public var substitution: String
    public var reason: String
    public var description: String { "RegexWhere \"\(substitution)\": \(reason)" }
}
