/// How large a POSIX extended regular expression becomes inside glibc's `regcomp`, and how costly its compile is,
/// estimated from above before it is compiled. glibc builds a repetition by copying the repeated subexpression: `x+`
/// as `x x*`, `x{n,m}` as `m` copies of `x`, and repeats of repeats multiply, so a short pattern from a Director
/// (`a++++…`, 100 pluses: 2^100 copies; `((a{255}){255}){255}`) makes regcomp allocate until the process dies. And a
/// repetition of something that can match the empty string (`(a*){1,2000}`, `p+*+++++++++++`, `(^){1,300}`) makes
/// its epsilon-closure pass take seconds to minutes at a few thousand nodes (measured with glibc 2.36: 1.2 s, 2.9 s,
/// 12.6 s; `(^)+++++` did not finish in 30 s). Patterns past any of the three limits are refused instead, with
/// `refusal`'s reason. Pure: reads the bytes only.
public enum RegexExpansion {
    /// The estimate at which a pattern is refused (a fileset's typical patterns are below 100; `[a-z]{1,255}` is 256).
    public static let limit = 20_000
    /// The closure cost at which a pattern is refused: each repetition of an operand that can match the empty
    /// string costs the square of its copies' size (the cube when the operand holds an anchor such as `^`, `$` or
    /// `\b`, which glibc handles far more slowly): `(a*){1,500}` costs 2,253,001 and passes, `(a*){1,700}` 4,414,201,
    /// `(^){1,60}` 1,771,561 and `(^){1,100}` 8,120,601.
    public static let closureLimit = 4_000_000
    /// Repetitions stacked on an operand that can match the empty string (`(a*)*` is 1, `((a*)*)*` 2) at which a
    /// pattern is refused: each such level nests another epsilon loop (`p+*++++` is 4).
    public static let nullableNestingLimit = 3

    /// Nil when `pattern` is within the limits; otherwise why it is refused.
    public static func refusal(_ pattern: [UInt8]) -> String? {
        let analysis = analyze(pattern)
        if analysis.size > limit {
            return "the expression is too complex (its repetitions expand to more than \(limit) nodes)"
        }
        if analysis.nullableNesting > nullableNestingLimit {
            return "the expression is too complex (more than \(nullableNestingLimit) repetitions nested on a part that "
                + "can match the empty string)"
        }
        if analysis.closureCost > closureLimit {
            return "the expression is too complex (a part that can match the empty string is repeated too often)"
        }
        return nil
    }

    /// An upper estimate of the nodes regcomp builds for `pattern` (ERE syntax), saturating at `limit + 1`: one per
    /// atom (character, `.`, bracket expression, escaped character), one per group and per operator, and each
    /// repetition's copies of the atom or group it follows (`+`: one more copy; `{n}`: n; `{n,m}`: m; `{n,}`: n+1).
    public static func estimatedSize(_ pattern: [UInt8]) -> Int { analyze(pattern).size }

    /// What `refusal` weighs: `size` as `estimatedSize`; `closureCost` and `nullableNesting` as described at
    /// `closureLimit` and `nullableNestingLimit` (both saturate too).
    public struct Analysis: Equatable, Sendable {
        public var size: Int
        public var closureCost: Int
        public var nullableNesting: Int
    }

    /// One pass over `pattern`, as `estimatedSize` describes, also tracking which parts can match the empty string.
    public static func analyze(_ pattern: [UInt8]) -> Analysis {
        let cap = limit + 1
        func add(_ a: Int, _ b: Int) -> Int { min(cap, a + b) }
        func multiply(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? cap : min(cap, product)
        }
        /// A piece of the pattern: its nodes, whether it can match the empty string, whether it holds an anchor, and
        /// the repetitions stacked on empty-matching parts inside it.
        struct Piece {
            var size = 0
            var nullable = false
            var anchored = false
            var nesting = 0
        }
        /// One open group: its nodes so far; whether the current alternative's atoms before the last, and with the
        /// last, can all match the empty string; whether an earlier alternative can; anchors and nesting seen; and
        /// the last atom (what a repetition would copy).
        struct Frame {
            var total = 0
            var beforeLastNullable = true
            var alternativeNullable = true
            var earlierNullable = false
            var anchored = false
            var nesting = 0
            var last: Piece?
        }
        var frames = [Frame()]
        var closureCost = 0
        var nesting = 0
        func atom(_ piece: Piece) {
            let f = frames.count - 1
            frames[f].total = add(frames[f].total, piece.size)
            frames[f].beforeLastNullable = frames[f].alternativeNullable
            frames[f].alternativeNullable = frames[f].alternativeNullable && piece.nullable
            frames[f].anchored = frames[f].anchored || piece.anchored
            frames[f].nesting = max(frames[f].nesting, piece.nesting)
            frames[f].last = piece
        }
        /// The last atom repeated `copies` times (plus the operator's node); `optional` when it may occur 0 times.
        func repeatLast(_ copies: Int, optional: Bool) {
            let f = frames.count - 1
            guard var last = frames[f].last else {  // a leading operator: glibc reads it as a character
                atom(Piece(size: 1))
                return
            }
            let grown = add(multiply(last.size, copies), 1)
            frames[f].total = add(frames[f].total, grown - last.size)
            if last.nullable {
                // grown <= limit + 1, so its cube fits; the sum saturates just past the limit
                let cost = last.anchored ? grown * grown * grown : grown * grown
                closureCost = min(closureLimit + 1, closureCost + cost)
                last.nesting += 1
                nesting = max(nesting, last.nesting)
            }
            last.size = grown
            last.nullable = last.nullable || optional
            frames[f].alternativeNullable = frames[f].beforeLastNullable && last.nullable
            frames[f].nesting = max(frames[f].nesting, last.nesting)
            frames[f].last = last
        }
        var index = 0
        while index < pattern.count {
            let byte = pattern[index]
            index += 1
            switch byte {
            case UInt8(ascii: "("):
                frames.append(Frame())
            case UInt8(ascii: ")") where frames.count > 1:
                let group = frames.removeLast()
                atom(
                    Piece(
                        size: add(group.total, 1), nullable: group.earlierNullable || group.alternativeNullable,
                        anchored: group.anchored, nesting: group.nesting))
            case UInt8(ascii: "|"):
                let f = frames.count - 1
                frames[f].total = add(frames[f].total, 1)
                frames[f].earlierNullable = frames[f].earlierNullable || frames[f].alternativeNullable
                frames[f].alternativeNullable = true
                frames[f].beforeLastNullable = true
                frames[f].last = nil
            case UInt8(ascii: "*"), UInt8(ascii: "?"):
                repeatLast(1, optional: true)
            case UInt8(ascii: "+"):
                repeatLast(2, optional: false)
            case UInt8(ascii: "{"):
                if let (low, copies, end) = interval(pattern, from: index) {
                    repeatLast(max(1, copies), optional: low == 0)
                    index = end
                } else {
                    atom(Piece(size: 1, nullable: false))
                }
            case UInt8(ascii: "["):
                index = bracketEnd(pattern, from: index)
                atom(Piece(size: 1, nullable: false))
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                atom(Piece(size: 1, nullable: true, anchored: true))
            case UInt8(ascii: "\\"):
                let escaped = index < pattern.count ? pattern[index] : 0
                index = min(pattern.count, index + 1)
                // \b \B \< \> \` \' match positions, not characters
                let anchor = [UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                              UInt8(ascii: "`"), UInt8(ascii: "'")].contains(escaped)
                atom(Piece(size: 1, nullable: anchor, anchored: anchor))
            default:
                atom(Piece(size: 1, nullable: false))
            }
        }
        let size = frames.reduce(0) { add($0, $1.total) }
        return Analysis(size: size, closureCost: closureCost, nullableNesting: nesting)
    }

    /// `n}`, `n,}` or `n,m}` at `start` (just after `{`): n, the copies regcomp makes (m, n + 1 or n) and the index after
    /// `}`; nil when it is no interval (glibc then reads `{` as a character).
    static func interval(_ pattern: [UInt8], from start: Int) -> (low: Int, copies: Int, end: Int)? {
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
        return (low, max(low, copies), index + 1)
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
