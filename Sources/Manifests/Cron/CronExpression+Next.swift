import Foundation

extension CronExpression {
    /// How far `next`/`previous` search: one full Gregorian cycle, so `nil` means "never fires".
    static let searchHorizonYears = 400
    /// Instants (seconds from 1970) beyond about ±3 million years are rejected rather than overflowing.
    static let instantLimit: Double = 1e14

    /// The first fire time strictly after `date`, in `timeZone`; nil only if the expression never fires.
    ///
    /// Wall-clock times skipped by a DST gap do not fire; wall-clock times repeated by a DST
    /// fall-back fire once, at their first occurrence.
    public func next(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        let instant = date.timeIntervalSince1970
        guard abs(instant) < Self.instantLimit else { return nil }
        let seconds = Int(instant.rounded(.down))
        let local = seconds + timeZone.secondsFromGMT(for: date)
        var cursor = WallTime(localMinutes: floorDivide(local, 60) + 1)
        let lastYear = cursor.year + Self.searchHorizonYears
        while let wall = nextWallTime(from: cursor, lastYear: lastYear) {
            if let fire = Self.resolve(wall, in: timeZone), Double(fire) > instant {
                return Date(timeIntervalSince1970: Double(fire))
            }
            cursor = WallTime(localMinutes: wall.localMinutes + 1)
        }
        return nil
    }

    /// The last fire time at or before `date`, in `timeZone`; nil only if the expression never fires.
    ///
    /// A sync window of length `d` is open at `now` when `previous(atOrBefore: now)! + d > now`.
    public func previous(atOrBefore date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        let instant = date.timeIntervalSince1970
        guard abs(instant) < Self.instantLimit else { return nil }
        let seconds = Int(instant.rounded(.down))
        let offset = timeZone.secondsFromGMT(for: date)
        // After a fall-back, wall times up to the earlier (larger) offset's clock already happened.
        let earlierOffset = timeZone.secondsFromGMT(for: date.addingTimeInterval(-86_400))
        let local = seconds + offset + max(0, earlierOffset - offset)
        var cursor = WallTime(localMinutes: floorDivide(local, 60))
        let firstYear = cursor.year - Self.searchHorizonYears
        while let wall = previousWallTime(from: cursor, firstYear: firstYear) {
            if let fire = Self.resolve(wall, in: timeZone), Double(fire) <= instant {
                return Date(timeIntervalSince1970: Double(fire))
            }
            cursor = WallTime(localMinutes: wall.localMinutes - 1)
        }
        return nil
    }

    /// Whether the minute containing `date` is a fire time in `timeZone` (seconds are ignored).
    ///
    /// Consistent with `next`/`previous`: the second occurrence of a repeated wall time does not match.
    public func matches(_ date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Bool {
        let instant = date.timeIntervalSince1970
        guard abs(instant) < Self.instantLimit else { return false }
        let local = Int(instant.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let wall = WallTime(localMinutes: floorDivide(local, 60))
        guard bit(minutes, wall.minute), bit(hours, wall.hour), bit(months, wall.month),
              dayMatches(wall), let fire = Self.resolve(wall, in: timeZone)
        else { return false }
        return Double(fire) <= instant && instant < Double(fire + 60)
    }

    /// Whether the calendar day of `wall` satisfies day-of-month / day-of-week (Vixie OR/AND rule).
    func dayMatches(_ wall: WallTime) -> Bool {
        let dayOfMonthOK = bit(daysOfMonth, wall.day)
        let dayOfWeekOK = bit(daysOfWeek, wall.weekday)
        if dayOfMonthIsStar || dayOfWeekIsStar { return dayOfMonthOK && dayOfWeekOK }
        return dayOfMonthOK || dayOfWeekOK
    }

    /// The earliest matching wall time at or after `start`, skipping whole months, days and hours.
    func nextWallTime(from start: WallTime, lastYear: Int) -> WallTime? {
        var (year, month, day, hour, minute) = (start.year, start.month, start.day, start.hour, start.minute)
        let andDays = dayOfMonthIsStar || dayOfWeekIsStar
        while year <= lastYear {
            guard let nextMonth = lowestBit(months, from: month) else {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0)
                continue
            }
            if nextMonth != month { (month, day, hour, minute) = (nextMonth, 1, 0, 0) }
            if andDays {
                // Both day fields must match: jump to the next allowed day-of-month (32 ends the month).
                let nextDay = lowestBit(daysOfMonth, from: day) ?? 32
                if nextDay != day { (day, hour, minute) = (nextDay, 0, 0) }
            }
            if day > WallTime.daysIn(month: month, year: year) {
                (month, day, hour, minute) = (month + 1, 1, 0, 0)
                if month > 12 { (year, month) = (year + 1, 1) }
                continue
            }
            let wall = WallTime(year: year, month: month, day: day, hour: hour, minute: minute)
            guard dayMatches(wall), let nextHour = lowestBit(hours, from: hour) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if nextHour != hour { (hour, minute) = (nextHour, 0) }
            guard let nextMinute = lowestBit(minutes, from: minute) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            return WallTime(year: year, month: month, day: day, hour: hour, minute: nextMinute)
        }
        return nil
    }

    /// The latest matching wall time at or before `start`, skipping whole months, days and hours.
    func previousWallTime(from start: WallTime, firstYear: Int) -> WallTime? {
        var (year, month, day, hour, minute) = (start.year, start.month, start.day, start.hour, start.minute)
        let andDays = dayOfMonthIsStar || dayOfWeekIsStar
        while year >= firstYear {
            guard let previousMonth = highestBit(months, atMost: month) else {
                (year, month, day, hour, minute) = (year - 1, 12, 31, 23, 59)
                continue
            }
            if previousMonth != month { (month, day, hour, minute) = (previousMonth, 31, 23, 59) }
            if day < 1 {
                (month, day, hour, minute) = (month - 1, 31, 23, 59)
                if month < 1 { (year, month) = (year - 1, 12) }
                continue
            }
            day = min(day, WallTime.daysIn(month: month, year: year))
            if andDays, highestBit(daysOfMonth, atMost: day) != day {
                // Both day fields must match: jump back by day-of-month (0 moves to the previous month).
                (day, hour, minute) = (highestBit(daysOfMonth, atMost: day) ?? 0, 23, 59)
                continue
            }
            let wall = WallTime(year: year, month: month, day: day, hour: hour, minute: minute)
            guard dayMatches(wall), let previousHour = highestBit(hours, atMost: hour) else {
                (day, hour, minute) = (day - 1, 23, 59)
                continue
            }
            if previousHour != hour { (hour, minute) = (previousHour, 59) }
            guard let previousMinute = highestBit(minutes, atMost: minute) else {
                (hour, minute) = (hour - 1, 59)
                continue
            }
            return WallTime(year: year, month: month, day: day, hour: hour, minute: previousMinute)
        }
        return nil
    }

    /// The first instant (seconds since 1970) whose wall clock in `zone` reads `wall`; nil in a DST gap.
    static func resolve(_ wall: WallTime, in zone: TimeZone) -> Int? {
        let local = wall.localMinutes * 60
        var best: Int?
        for probe in [local - 86_400, local, local + 86_400] {
            let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(probe)))
            let candidate = local - offset
            if zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate))) == offset {
                best = min(best ?? candidate, candidate)
            }
        }
        return best
    }
}

extension CronExpression {
    /// A proleptic-Gregorian local (wall-clock) date and time to the minute.
    struct WallTime: Hashable, Sendable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int

        /// Creates a wall time from its components (assumed valid).
        init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
            (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
        }

        /// Creates the wall time `localMinutes` minutes after 1970-01-01 00:00 local.
        init(localMinutes: Int) {
            let days = floorDivide(localMinutes, 1440)
            let minuteOfDay = localMinutes - days * 1440
            // Civil-from-days (H. Hinnant), valid for any Int day count.
            let shifted = days + 719_468
            let era = floorDivide(shifted, 146_097)
            let dayOfEra = shifted - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthIndex = (5 * dayOfYear + 2) / 153
            let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
            self.init(
                year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month,
                day: dayOfYear - (153 * monthIndex + 2) / 5 + 1, hour: minuteOfDay / 60, minute: minuteOfDay % 60)
        }

        /// Days since 1970-01-01 of this wall time's date (days-from-civil, H. Hinnant).
        var epochDay: Int {
            let shiftedYear = month <= 2 ? year - 1 : year
            let era = floorDivide(shiftedYear, 400)
            let yearOfEra = shiftedYear - era * 400
            let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        /// Minutes since 1970-01-01 00:00 on the same wall clock.
        var localMinutes: Int { epochDay * 1440 + hour * 60 + minute }

        /// Day of the week, 0 = Sunday … 6 = Saturday.
        var weekday: Int { (epochDay % 7 + 11) % 7 }

        /// Number of days in `month` of `year` (Gregorian leap rules).
        static func daysIn(month: Int, year: Int) -> Int {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
    }
}

/// Integer division rounding toward negative infinity.
private func floorDivide(_ value: Int, _ divisor: Int) -> Int {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
}

/// Whether bit `index` of `mask` is set.
private func bit(_ mask: UInt64, _ index: Int) -> Bool {
    index >= 0 && index < 64 && mask & (1 << UInt64(index)) != 0
}

/// The smallest set bit of `mask` at index `from` or above.
private func lowestBit(_ mask: UInt64, from index: Int) -> Int? {
    guard index < 64 else { return nil }
    let remaining = mask & (~UInt64(0) << UInt64(max(index, 0)))
    return remaining == 0 ? nil : remaining.trailingZeroBitCount
}

/// The largest set bit of `mask` at index `atMost` or below.
private func highestBit(_ mask: UInt64, atMost index: Int) -> Int? {
    guard index >= 0 else { return nil }
    let remaining = index >= 63 ? mask : mask & ((1 << UInt64(index + 1)) - 1)
    return remaining == 0 ? nil : 63 - remaining.leadingZeroBitCount
}
