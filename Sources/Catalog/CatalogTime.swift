import Foundation
import GRDB

/// Bacula's catalog time columns: `YYYY-MM-DD HH:MM:SS` in the Director's local time zone, and `0` for "never".
public enum CatalogTime {
    /// The text Bacula stores for Unix time `seconds` (0 stays `0`).
    public static func text(_ seconds: Int64) -> String {
        guard seconds > 0 else { return "0" }
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Unix seconds of a catalog time text; 0 for `0`, empty or unreadable text.
    public static func seconds(_ text: String) -> Int64 {
        let fields = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int32($0) }
        guard fields.count == 6, fields[0] > 1900 else { return 0 }
        var parts = tm()
        parts.tm_year = fields[0] - 1900
        parts.tm_mon = fields[1] - 1
        parts.tm_mday = fields[2]
        parts.tm_hour = fields[3]
        parts.tm_min = fields[4]
        parts.tm_sec = fields[5]
        parts.tm_isdst = -1
        return Int64(mktime(&parts))
    }

    /// Now, in Unix seconds.
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

extension CatalogTime {
    /// Unix seconds of a time column as stored: text, or the number 0 Bacula's defaults leave (NULL: 0).
    static func seconds(_ value: DatabaseValue) -> Int64 {
        switch value.storage {
        case .string(let text): return seconds(text)
        case .int64(let number): return number > 1_000_000_000 ? number : 0
        case .double(let number): return number > 1_000_000_000 ? Int64(number) : 0
        default: return 0
        }
    }
}
