/// How large a POSIX extended regular expression becomes inside glibc's `regcomp`, estimated from above before it is
/// compiled. glibc builds a repetition by copying the repeated subexpression: `x+` as `x x*`, `x{n,m}` as `m` copies
/// of `x`, and repeats of repeats multiply, so a short pattern from a Director (`a++++…`, 100 pluses: 2^100 copies;
/// `((a{255}){255}){255}`) makes regcomp allocate until the process dies. Patterns above `limit` are refused
/// instead, with `refusal`'s reason. Pure: reads the bytes only.
public enum RegexExpansion {
    /// The estimate at which a pattern is refused (a fileset's typical patterns are below 100; `[a-z]{1,255}` is 256).
    public static let limit = 20_000

    /// Nil when `pattern` is within `limit`; otherwise why it is refused.
    public static func refusal(_ pattern: [UInt8]) -> String? {
        let size = estimatedSize(pattern)
        guard size > limit else { return nil }
        return "the expression is too complex (its repetitions expand to more than \(limit) nodes)"
    }

    /// An upper estimate of the nodes regcomp builds for `pattern` (ERE syntax), saturating at `limit + 1`: one per
    /// atom (character, `.`, bracket expression, escaped character), one per group and per operator, and each
    /// repetition's copies of the atom or group it follows (`+`: one more copy; `{n}`: n; `{n,m}`: m; `{n,}`: n+1).
    public static func estimatedSize(_ pattern: [UInt8]) -> Int {
        let cap = limit + 1
        func add(_ a: Int, _ b: Int) -> Int { min(cap, a + b) }
        func multiply(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? cap : min(cap, product)
        }
        /// One open group: the nodes so far, and the size of the last atom (what a repetition would copy).
        var frames: [(total: Int, last: Int)] = [(0, 0)]
        func atom(_ size: Int) {
            frames[frames.count - 1].total = add(frames[frames.count - 1].total, size)
            frames[frames.count - 1].last = size
        }
        /// The last atom repeated `copies` times (plus the operator's node).
        func repeatLast(_ copies: Int) {
            let last = frames[frames.count - 1].last
            let grown = add(multiply(last, copies), 1)
            frames[frames.count - 1].total = add(frames[frames.count - 1].total, grown - last)
            frames[frames.count - 1].last = grown
        }
        var index = 0
        while index < pattern.count {
            let byte = pattern[index]
            index += 1
            switch byte {
            case UInt8(ascii: "("):
                frames.append((0, 0))
            case UInt8(ascii: ")") where frames.count > 1:
                let group = frames.removeLast()
                atom(add(group.total, 1))
            case UInt8(ascii: "|"):
                frames[frames.count - 1].total = add(frames[frames.count - 1].total, 1)
                frames[frames.count - 1].last = 0
            case UInt8(ascii: "*"), UInt8(ascii: "?"):
                repeatLast(1)
            case UInt8(ascii: "+"):
                repeatLast(2)
            case UInt8(ascii: "{"):
                if let (copies, end) = interval(pattern, from: index) {
                    repeatLast(max(1, copies))
                    index = end
                } else {
                    atom(1)
                }
            case UInt8(ascii: "["):
                index = bracketEnd(pattern, from: index)
                atom(1)
            case UInt8(ascii: "\\"):
                index = min(pattern.count, index + 1)
                atom(1)
            default:
                atom(1)
            }
        }
        return frames.reduce(0) { add($0, $1.total) }
    }

    /// `n}`, `n,}` or `n,m}` at `start` (just after `{`): the copies regcomp makes (m, n + 1 or n) and the index after
    /// `}`; nil when it is no interval (glibc then reads `{` as a character).
    static func interval(_ pattern: [UInt8], from start: Int) -> (copies: Int, end: Int)? {
        var index = start
        func number() -> Int? {
            var value: Int?
            while index < pattern.count, let digit = pattern[index].digitValue {
                value = min(1_000_000, (value ?? 0) * 10 + digit)
                index += 1
            }
            return value
        }
        guard let low = number() else { return nil }
        var copies = low
        if index < pattern.count, pattern[index] == UInt8(ascii: ",") {
            index += 1
            copies = number() ?? low + 1
        }
        guard index < pattern.count, pattern[index] == UInt8(ascii: "}") else { return nil }
        return (max(low, copies), index + 1)
    }

    /// The index after the bracket expression whose `[` is just before `start`: a leading `^` and `]` are members,
    /// `[:class:]`, `[=c=]` and `[.c.]` are skipped whole; an unterminated one runs to the end.
    static func bracketEnd(_ pattern: [UInt8], from start: Int) -> Int {
        var index = start
        if index < pattern.count, pattern[index] == UInt8(ascii: "^") { index += 1 }
        if index < pattern.count, pattern[index] == UInt8(ascii: "]") { index += 1 }
        while index < pattern.count {
            let byte = pattern[index]
            if byte == UInt8(ascii: "]") { return index + 1 }
            if byte == UInt8(ascii: "["), index + 1 < pattern.count,
                [UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: ".")].contains(pattern[index + 1])
            {
                let kind = pattern[index + 1]
                var end = index + 2
                while end + 1 < pattern.count, !(pattern[end] == kind && pattern[end + 1] == UInt8(ascii: "]")) { end += 1 }
                index = end + 2
                continue
            }
            index += 1
        }
        return pattern.count
    }
}

extension UInt8 {
    /// 0–9 for an ASCII digit.
    fileprivate var digitValue: Int? { (0x30...0x39).contains(self) ? Int(self - 0x30) : nil }
}
