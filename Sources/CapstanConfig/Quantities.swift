/// Bacula's size and duration notations: a number followed by an optional unit, repeated and summed
/// (`1G`, `500 MB`, `1 day 2 hours`).
public enum Quantities {
    /// Size units, case-insensitive. `k`, `m`, `g`, `t` are powers of 1024; with a trailing `b` they are powers
    /// of 1000 (`500 MB` is 500,000,000 bytes), exactly as Bacula 9.6 reads them.
    static let sizeUnits: [(String, Double)] = [
        ("k", 1024), ("kb", 1000), ("m", 1_048_576), ("mb", 1_000_000), ("g", 1_073_741_824),
        ("gb", 1_000_000_000), ("t", 1_099_511_627_776), ("tb", 1_000_000_000_000),
    ]

    /// Duration units, matched by prefix in this order, so `m` is months and `min` minutes; `n` is minutes too.
    static let durationUnits: [(String, Int64)] = [
        ("n", 60), ("seconds", 1), ("months", 30 * 86_400), ("minutes", 60), ("mins", 60), ("hours", 3_600),
        ("days", 86_400), ("weeks", 7 * 86_400), ("quarters", 91 * 86_400), ("years", 365 * 86_400),
    ]

    /// Splits `"500MB"`, `"500 MB"` or `"1.5 g"` into (number, unit) pairs. Nil when a piece is not a number.
    static func pairs(_ text: String) -> [(Double, String)]? {
        var result: [(Double, String)] = []
        var chars = Substring(text.lowercased())
        while true {
            chars = chars.drop(while: { $0 == " " || $0 == "\t" })
            if chars.isEmpty { break }
            let number = chars.prefix(while: { $0.isNumber || $0 == "." })
            guard !number.isEmpty, let value = Double(number) else { return nil }
            chars = chars.dropFirst(number.count).drop(while: { $0 == " " || $0 == "\t" })
            let unit = chars.prefix(while: { $0.isLetter || $0 == "/" })
            chars = chars.dropFirst(unit.count)
            result.append((value, String(unit)))
        }
        return result.isEmpty ? nil : result
    }

    /// Bytes for a size such as `1G`, `500 MB`, `64512`; nil when it does not parse or exceeds 64 bits.
    public static func size(_ text: String) -> UInt64? {
        guard let pairs = pairs(text) else { return nil }
        var total = 0.0
        for (value, unit) in pairs {
            if unit.isEmpty {
                total += value
                continue
            }
            guard let multiplier = sizeUnits.first(where: { $0.0 == unit })?.1 else { return nil }
            total += value * multiplier
        }
        guard total < 18_446_744_073_709_551_615.0 else { return nil }
        return UInt64(total)
    }

    /// Bytes per second for a speed such as `10 mb/s`, `500k/s`, `1048576`; nil when it does not parse.
    public static func speed(_ text: String) -> UInt64? {
        var trimmed = text.lowercased()
        while let range = trimmed.firstRange(of: "/s") { trimmed.removeSubrange(range) }
        return size(trimmed)
    }

    /// Seconds for a duration such as `300`, `5 min`, `1 day 2 hours`, `6 months`; nil when it does not parse.
    public static func duration(_ text: String) -> Int64? {
        guard let pairs = pairs(text) else { return nil }
        var total = 0.0
        for (value, unit) in pairs {
            if unit.isEmpty {
                total += value
                continue
            }
            guard let multiplier = durationUnits.first(where: { $0.0.hasPrefix(unit) })?.1 else { return nil }
            total += value * Double(multiplier)
        }
        guard total < 9.2e18 else { return nil }
        return Int64(total)
    }

    /// A size in the largest unit that divides it exactly, binary (`1G`) before decimal (`1 GB`), for humans
    /// reading `config show`; nil when no unit divides it.
    public static func describeSize(_ bytes: UInt64) -> String? {
        let binary: [(String, UInt64)] = [("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        for (name, scale) in binary where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale)\(name)"
        }
        let decimal: [(String, UInt64)] = [("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000)]
        for (name, scale) in decimal where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale) \(name)"
        }
        return nil
    }

    /// A duration as days, hours, minutes and seconds (`1 day 2 hours`).
    public static func describeDuration(_ seconds: Int64) -> String {
        if seconds == 0 { return "0 seconds" }
        var rest = seconds
        var parts: [String] = []
        for (name, scale) in [("year", Int64(365 * 86_400)), ("day", 86_400), ("hour", 3_600), ("min", 60)] where rest >= scale {
            let count = rest / scale
            rest %= scale
            parts.append("\(count) \(name)\(count == 1 || name == "min" ? "" : "s")")
        }
        if rest > 0 { parts.append("\(rest) sec") }
        return parts.joined(separator: " ")
    }
}
