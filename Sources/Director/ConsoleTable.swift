import Foundation

/// Bacula's `list` tables: `+---+` rules, `| value |` cells padded to the widest entry, left-aligned; and the
/// `llist` form (one `Name: value` line per column, names right-aligned). Pure.
public enum ConsoleTable {
    public static func render(_ headers: [String], _ rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, value) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], value.count) }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        func line(_ values: [String]) -> String {
            "|" + zip(values, widths).map { " " + $0.padding(toLength: $1, withPad: " ", startingAt: 0) + " " }
                .joined(separator: "|") + "|\n"
        }
        var out = rule + line(headers) + rule
        for row in rows { out += line(row) }
        return out + rule
    }

    public static func long(_ headers: [String], _ rows: [[String]]) -> String {
        let width = headers.map(\.count).max() ?? 0
        var out = ""
        for row in rows {
            for (header, value) in zip(headers, row) {
                out += String(repeating: " ", count: max(0, width - header.count)) + header + ": " + value + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// `.api 2` form of a listing: one JSON array of objects keyed by column name (values as strings).
    public static func json(_ headers: [String], _ rows: [[String]]) -> String {
        func quote(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 { out += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16) } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out + "\""
        }
        let objects = rows.map { row in
            "{" + zip(headers, row).map { quote($0.lowercased()) + ":" + quote($1) }.joined(separator: ",") + "}"
        }
        return "[" + objects.joined(separator: ",") + "]\n"
    }
}
