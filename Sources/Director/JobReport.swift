import Catalog
import Foundation

/// The job-end report the Director sends to the job's Messages (Bacula 9.6's layout: one `Label: value` line
/// per fact, values from column 27), and the number formats it uses.
enum JobReport {
    /// `300,035`.
    static func commas(_ number: Int64) -> String {
        let digits = String(abs(number))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (number < 0 ? "-" : "") + out
    }

    /// `300.0 KB`, `1.128 KB`, `19 B`: four significant digits with decimal (1000-based) suffixes.
    static func suffixed(_ number: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(number)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(number) B" }
        let integerDigits = value >= 100 ? 3 : value >= 10 ? 2 : 1
        return String(format: "%.\(4 - integerDigits)f %@", value, units[unit])
    }

    /// `02-Dec-2026 06:38:21`.
    static func longTime(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%02d-%@-%04d %02d:%02d:%02d", Int(parts.tm_mday), months[Int(parts.tm_mon)],
            Int(parts.tm_year) + 1900, Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    static func elapsed(_ seconds: Int64) -> String {
        let s = max(seconds, 1)
        if s < 60 { return "\(s) sec\(s == 1 ? "" : "s")" }
        let minutes = s / 60
        if minutes < 60 { return "\(minutes) min \(s % 60) sec\(s % 60 == 1 ? "" : "s")" }
        return "\(minutes / 60) hour\(minutes / 60 == 1 ? "" : "s") \(minutes % 60) min \(s % 60) sec\(s % 60 == 1 ? "" : "s")"
    }

    static func line(_ label: String, _ value: String) -> String {
        "  " + (label + ":").padding(toLength: 24, withPad: " ", startingAt: 0) + value + "\n"
    }

    static func levelName(_ letter: String) -> String {
        switch letter {
        case "F": return "Full"
        case "I": return "Incremental"
        case "D": return "Differential"
        case "B": return "Base"
        case "f": return "VirtualFull"
        default: return ""
        }
    }

    static func statusText(_ status: String) -> String {
        switch status {
        case "T": return "OK"
        case "W": return "OK -- with warnings"
        case "E", "e": return "*** Error ***"
        case "f": return "*** Fatal Error ***"
        case "A": return "*** Canceled ***"
        case "I": return "Incomplete"
        default: return "Unknown term code"
        }
    }
}
