import Director
import Foundation
import Testing

/// Schedule Run words read as Bacula reads them.
@Suite struct ScheduleTimesTests {
    /// Broken-down time for a date (local zone of the test process).
    static func time(_ year: Int32, _ month: Int32, _ day: Int32, _ hour: Int32, _ minute: Int32) -> tm {
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_isdst = -1
        var seconds = mktime(&parts)
        var out = tm()
        localtime_r(&seconds, &out)
        return out
    }

    @Test func dailyWeeklyHourlyAndOrdinals() {
        let daily = ScheduleTimes(["daily", "at", "02:05"])
        #expect(daily.fires(at: Self.time(2026, 12, 2, 2, 5)))
        #expect(!daily.fires(at: Self.time(2026, 12, 2, 2, 6)))
        #expect(!daily.fires(at: Self.time(2026, 12, 2, 3, 5)))
        let hourly = ScheduleTimes(["hourly", "at", "0:10"])
        #expect(hourly.fires(at: Self.time(2026, 12, 2, 17, 10)))
        #expect(!hourly.fires(at: Self.time(2026, 12, 2, 17, 11)))
        // 2026-12-06 is the first Sunday of December, 2026-12-13 the second.
        let firstSunday = ScheduleTimes(["1st", "sun", "at", "23:05"])
        #expect(firstSunday.fires(at: Self.time(2026, 12, 6, 23, 5)))
        #expect(!firstSunday.fires(at: Self.time(2026, 12, 13, 23, 5)))
        let laterSundays = ScheduleTimes(["2nd-5th", "sun", "at", "23:05"])
        #expect(laterSundays.fires(at: Self.time(2026, 12, 13, 23, 5)))
        #expect(!laterSundays.fires(at: Self.time(2026, 12, 6, 23, 5)))
        let weekdays = ScheduleTimes(["mon-fri", "at", "23:10"])
        #expect(weekdays.fires(at: Self.time(2026, 12, 4, 23, 10)))  // Friday
        #expect(!weekdays.fires(at: Self.time(2026, 12, 5, 23, 10)))  // Saturday
        let weekly = ScheduleTimes(["weekly", "at", "1:00"])
        #expect(weekly.fires(at: Self.time(2026, 12, 6, 1, 0)))
        #expect(!weekly.fires(at: Self.time(2026, 12, 7, 1, 0)))
        let monthly = ScheduleTimes(["monthly", "at", "4:00pm"])
        #expect(monthly.fires(at: Self.time(2026, 12, 1, 16, 0)))
        #expect(!monthly.fires(at: Self.time(2026, 12, 2, 16, 0)))
        let june = ScheduleTimes(["jun", "15", "at", "12:00"])
        #expect(june.fires(at: Self.time(2027, 6, 15, 12, 0)))
        #expect(!june.fires(at: Self.time(2027, 7, 15, 12, 0)))
    }
}
