import CapstanConfig
import Foundation

/// When a Schedule `Run` fires, as Bacula reads its words: masks of minutes, hours, days of the month, weekdays,
/// weeks of the month (`1st`…`5th`, `last`), weeks of the year (`w01`) and months. Words left out cover every
/// value; `hourly` fires every hour at the minute of `at`, `daily` every day, `weekly` on Sundays, `monthly` on
/// the 1st. Pure: `fires(at:)` takes broken-down local time.
public struct ScheduleTimes: Sendable, Equatable {
    public var minute = 0
    public var hours = Set(0..<24)
    public var monthDays = Set(1...31)
    public var weekDays = Set(0..<7)
    public var weeksOfMonth = Set(0..<6)  // 0 = 1st ... 4 = 5th, 5 = last
    public var weeksOfYear = Set(0...53)
    public var months = Set(0..<12)

    /// Reads the `when` words of a Run directive.
    public init(_ words: [String]) {
        var hourly = false
        var days: Set<Int>?
        var mdays: Set<Int>?
        var weeks: Set<Int>?
        var yearWeeks: Set<Int>?
        var monthSet: Set<Int>?
        var index = 0
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let ordinals = ["1st": 0, "first": 0, "2nd": 1, "second": 1, "3rd": 2, "third": 2, "4th": 3, "fourth": 3,
                        "5th": 4, "fifth": 4, "6th": 5, "last": 5]
        func day(_ word: Substring) -> Int? { dayNames.firstIndex { word.hasPrefix($0) } }
        func month(_ word: Substring) -> Int? { monthNames.firstIndex { word.hasPrefix($0) } }
        func expand(_ low: Int, _ high: Int, modulo: Int) -> [Int] {
            low <= high ? Array(low...high) : Array(low..<modulo) + Array(0...high)
        }
        var atTime: (hour: Int?, minute: Int)?
        while index < words.count {
            let word = words[index]
            index += 1
            switch word {
            case "at":
                if index < words.count { atTime = Self.time(words[index]); index += 1 }
                continue
            case "hourly": hourly = true; continue
            case "daily": continue
            case "weekly": days = [0]; continue
            case "monthly": mdays = [1]; continue
            case "on", ",", "every": continue
            default: break
            }
            let pieces = word.split(separator: "-")
            if let first = pieces.first, let low = day(first) {
                let high = pieces.count > 1 ? day(pieces[1]) ?? low : low
                days = (days ?? []).union(expand(low, high, modulo: 7))
            } else if let first = pieces.first, let low = month(first) {
                let high = pieces.count > 1 ? month(pieces[1]) ?? low : low
                monthSet = (monthSet ?? []).union(expand(low, high, modulo: 12))
            } else if let first = pieces.first, let low = ordinals[String(first)] {
                let high = pieces.count > 1 ? ordinals[String(pieces[1])] ?? low : low
                weeks = (weeks ?? []).union(low...max(low, high))
            } else if let first = pieces.first, first.hasPrefix("w"), let low = Int(first.dropFirst()) {
                let high = pieces.count > 1 ? Int(pieces[1].dropFirst()) ?? low : low
                yearWeeks = (yearWeeks ?? []).union(low...max(low, high))
            } else if let first = pieces.first, let low = Int(first) {
                let high = pieces.count > 1 ? Int(pieces[1]) ?? low : low
                mdays = (mdays ?? []).union(low...max(low, high))
            } else if let time = Self.time(word) {
                atTime = time
            }
        }
        if let atTime {
            minute = atTime.minute
            if !hourly, let hour = atTime.hour { hours = [hour] }
        } else if !hourly {
            hours = [0]
        }
        if let days { weekDays = days }
        if let mdays { monthDays = mdays }
        if let weeks { weeksOfMonth = weeks }
        if let yearWeeks { weeksOfYear = yearWeeks }
        if let monthSet { months = monthSet }
    }

    /// `23:05`, `1:05pm`, `:15` → hour (nil for `:MM`) and minute.
    static func time(_ word: String) -> (hour: Int?, minute: Int)? {
        var text = Substring(word)
        var offset = 0
        if text.hasSuffix("pm") { offset = 12; text = text.dropLast(2) } else if text.hasSuffix("am") { text = text.dropLast(2) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let minute = Int(parts[1]) else { return nil }
        if parts[0].isEmpty { return (nil, minute) }
        guard let hour = Int(parts[0]) else { return nil }
        return ((hour % 12 == 0 && offset == 12) ? 12 : (hour + offset) % 24, minute)
    }

    /// Whether the schedule fires in the minute of local time `parts`.
    public func fires(at parts: tm) -> Bool {
        let mday = Int(parts.tm_mday)
        let daysInMonth = Self.daysInMonth(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon))
        let weekOfMonth = (mday - 1) / 7
        let isLastWeek = mday + 7 > daysInMonth
        let weekMatches = weeksOfMonth.contains(weekOfMonth) || (isLastWeek && weeksOfMonth.contains(5))
        let weekOfYear = (Int(parts.tm_yday) + 7 - Int(parts.tm_wday)) / 7
        return Int(parts.tm_min) == minute && hours.contains(Int(parts.tm_hour)) && months.contains(Int(parts.tm_mon))
            && monthDays.contains(mday) && weekDays.contains(Int(parts.tm_wday)) && weekMatches
            && weeksOfYear.contains(weekOfYear)
    }

    /// Whether it fires in the minute containing Unix time `seconds` (local time).
    public func fires(atUnix seconds: Int64) -> Bool {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return fires(at: parts)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        if month == 1 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) { return 29 }
        return lengths[month]
    }
}
