import Foundation
import Manifests
import Testing

/// Parses "yyyy-MM-dd HH:mm[:ss]" as a wall time in `zone` (UTC by default).
private func cronDate(_ text: String, in zone: String = "UTC") -> Date {
    let numbers = text.split(whereSeparator: { " -:".contains($0) }).map { Int($0)! }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let components = DateComponents(
        year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4],
        second: numbers.count > 5 ? numbers[5] : 0)
    return calendar.date(from: components)!
}

/// Formats `date` as "yyyy-MM-dd HH:mm" in UTC, or "nil".
private func cronText(_ date: Date?) -> String {
    guard let date else { return "nil" }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
}

private let berlinZone = TimeZone(identifier: "Europe/Berlin")!

@Suite("CronExpression")
struct CronExpressionTests {
    // MARK: Parsing

    @Test("accepted expressions", arguments: [
        "* * * * *", "0 0 1 1 *", "*/15 * * * *", "10-50/5 * * * *", "5/10 * * * *",
        "1,5,9 0-23/2 1-31 1-12 0-7", "0 9 * jan-mar mon-fri", "0 9 * JAN-Mar MON-Fri",
        "0 0 * * 7", "0 0 * * sun", "  0\t0  *   *\t* ", "0 0 13 * 5", "59 23 31 12 *",
        "0 0 * dec sat", "*/59 */23 */31 */12 */8", "00 09 01 01 00", "0 0 29 2 *",
    ])
    func accepted(_ text: String) throws {
        let expression = try CronExpression(parsing: text)
        #expect(expression.source == text)
        #expect(expression.description == text)
    }

    @Test("rejected expressions with exact messages and columns", arguments: [
        ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4", 0),
        ("", "expected 5 fields (minute hour day-of-month month day-of-week), got 0", 0),
        ("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6", 10),
        ("0 24 * * *", "field 2 (hour): 24 is out of range 0-23", 2),
        ("60 * * * *", "field 1 (minute): 60 is out of range 0-59", 0),
        ("0 0 0 * *", "field 3 (day-of-month): 0 is out of range 1-31", 4),
        ("0 0 32 * *", "field 3 (day-of-month): 32 is out of range 1-31", 4),
        ("0 0 * 13 *", "field 4 (month): 13 is out of range 1-12", 6),
        ("0  0 * *   8", "field 5 (day-of-week): 8 is out of range 0-7", 11),
        ("5-1 * * * *", "field 1 (minute): range 5-1 is reversed (start must not exceed end)", 0),
        ("0 0 * * fri-mon", "field 5 (day-of-week): range fri-mon is reversed (start must not exceed end)", 8),
        ("*/0 * * * *", "field 1 (minute): step must be positive, got 0", 0),
        ("*/-5 * * * *", "field 1 (minute): step must be positive, got -5", 0),
        ("* */25 * * *", "field 2 (hour): step 25 is out of range 1-24", 2),
        ("1,,2 * * * *", "field 1 (minute): empty item in list '1,,2'", 0),
        ("1, * * * *", "field 1 (minute): empty item in list '1,'", 0),
        ("0 0 * foo *", "field 4 (month): unknown month name 'foo' (expected jan-dec)", 6),
        ("0 0 * * funday", "field 5 (day-of-week): unknown day name 'funday' (expected sun-sat)", 8),
        ("0 mon * * *",
         "field 2 (hour): invalid value 'mon' (names are only allowed for month and day-of-week)", 2),
        ("0 0 * * 1#2", "field 5 (day-of-week): unexpected character '#'", 8),
        ("0 0 ? * *", "field 3 (day-of-month): unexpected character '?'", 4),
        ("0 0 L * *",
         "field 3 (day-of-month): invalid value 'L' (names are only allowed for month and day-of-week)", 4),
        ("@daily",
         "macros like '@daily' are not supported; use 5 fields (minute hour day-of-month month day-of-week)", 0),
        ("  @reboot",
         "macros like '@reboot' are not supported; use 5 fields (minute hour day-of-month month day-of-week)", 2),
        ("-5 * * * *", "field 1 (minute): negative values are not allowed, got '-5'", 0),
        ("5- * * * *", "field 1 (minute): incomplete range '5-'", 0),
        ("1-2-3 * * * *", "field 1 (minute): invalid range '1-2-3'", 0),
        ("*/5/2 * * * *", "field 1 (minute): unexpected '/' in '*/5/2'", 0),
        ("/5 * * * *", "field 1 (minute): missing value before '/' in '/5'", 0),
        ("*/ * * * *", "field 1 (minute): missing step after '/' in '*/'", 0),
        ("*/x * * * *", "field 1 (minute): invalid step 'x' in '*/x'", 0),
        ("*-5 * * * *", "field 1 (minute): '*' must stand alone or be followed by a step, got '*-5'", 0),
        ("5x * * * *", "field 1 (minute): invalid value '5x'", 0),
        ("99999999999999999999 * * * *", "field 1 (minute): 99999999999999999999 is out of range 0-59", 0),
    ])
    func rejected(_ text: String, message: String, column: Int) {
        #expect(throws: CronError(message: message, column: column)) {
            try CronExpression(parsing: text)
        }
        do {
            _ = try CronExpression(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func equalTextIsEqualAndHashable() throws {
        let a = try CronExpression(parsing: "0 9 * * mon-fri")
        let b = try CronExpression(parsing: "0 9 * * mon-fri")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(try a != CronExpression(parsing: "0 10 * * mon-fri"))
    }

    // MARK: next / previous in UTC

    @Test("next in UTC", arguments: [
        ("* * * * *", "2025-01-01 00:00", "2025-01-01 00:01"),
        ("* * * * *", "2025-01-01 00:00:30", "2025-01-01 00:01"),
        ("* * * * *", "2025-01-01 23:59", "2025-01-02 00:00"),
        ("*/15 * * * *", "2025-01-01 10:15", "2025-01-01 10:30"),
        ("*/15 * * * *", "2025-01-01 10:50", "2025-01-01 11:00"),
        ("*/15 * * * *", "2025-01-01 23:46", "2025-01-02 00:00"),
        ("10-50/20 * * * *", "2025-01-01 10:51", "2025-01-01 11:10"),
        ("5/20 * * * *", "2025-01-01 10:46", "2025-01-01 11:05"),
        ("0 0 31 * *", "2025-04-01 00:00", "2025-05-31 00:00"),
        ("0 12 30 * *", "2025-01-31 00:00", "2025-03-30 12:00"),
        ("0 0 1 * *", "2025-01-31 23:59", "2025-02-01 00:00"),
        ("0 0 1 1 *", "2025-12-31 23:59", "2026-01-01 00:00"),
        ("59 23 31 12 *", "2025-12-31 23:59", "2026-12-31 23:59"),
        ("0 0 29 2 *", "2025-03-01 00:00", "2028-02-29 00:00"),
        ("0 0 29 2 *", "2024-01-01 00:00", "2024-02-29 00:00"),
        ("0 0 29 2 *", "2096-03-01 00:00", "2104-02-29 00:00"),
        ("0 0 28 2 *", "2100-02-28 00:00", "2101-02-28 00:00"),
        ("0 0 1 3 *", "2100-02-28 00:00", "2100-03-01 00:00"),
        ("0 0 * * 0", "2025-01-01 00:00", "2025-01-05 00:00"),
        ("0 0 * * 7", "2025-01-01 00:00", "2025-01-05 00:00"),
        ("0 0 * * sun", "2025-01-01 00:00", "2025-01-05 00:00"),
        ("0 0 * * 5-7", "2025-01-03 00:00", "2025-01-04 00:00"),
        ("0 0 * * 6,7", "2025-01-04 00:00", "2025-01-05 00:00"),
        ("0 9 * jan-mar mon-fri", "2025-03-28 09:00", "2025-03-31 09:00"),
        ("0 9 * jan-mar mon-fri", "2025-03-31 09:00", "2026-01-01 09:00"),
        ("0 9 * JAN-Mar Mon-FRI", "2025-01-03 09:00", "2025-01-06 09:00"),
        ("0 0 13 * 5", "2025-01-11 00:00", "2025-01-13 00:00"),
        ("0 0 13 * 5", "2025-01-13 00:00", "2025-01-17 00:00"),
        ("0 0 13 * fri", "2025-01-17 00:00", "2025-01-24 00:00"),
        ("0 0 13 * *", "2025-01-13 00:00", "2025-02-13 00:00"),
        ("0 0 * * 1", "2025-01-01 00:00", "2025-01-06 00:00"),
        ("0 0 */10 * 1", "2025-01-01 00:00", "2025-03-31 00:00"),
        ("30 4 1,15 * 5", "2025-01-02 00:00", "2025-01-03 04:30"),
        ("0 0 31 2 *", "2025-01-01 00:00", "nil"),
        ("0 0 30 2 *", "2025-01-01 00:00", "nil"),
        ("0 0 31 4,6,9,11 *", "2025-01-01 00:00", "nil"),
    ])
    func nextUTC(_ text: String, from: String, expected: String) throws {
        let expression = try CronExpression(parsing: text)
        let result = expression.next(after: cronDate(from))
        #expect(cronText(result) == expected)
        if let result { #expect(expression.matches(result)) }
    }

    @Test("previous in UTC", arguments: [
        ("0 0 * * *", "2025-01-01 00:00", "2025-01-01 00:00"),
        ("0 0 * * *", "2025-01-01 00:00:30", "2025-01-01 00:00"),
        ("0 0 * * *", "2025-01-01 12:00", "2025-01-01 00:00"),
        ("* * * * *", "2025-01-01 00:00:59", "2025-01-01 00:00"),
        ("*/15 * * * *", "2025-01-02 00:14", "2025-01-02 00:00"),
        ("*/15 * * * *", "2025-01-02 00:00", "2025-01-02 00:00"),
        ("*/15 * * * *", "2025-01-01 23:59", "2025-01-01 23:45"),
        ("59 23 31 12 *", "2026-01-01 00:00", "2025-12-31 23:59"),
        ("0 0 1 1 *", "2025-06-01 00:00", "2025-01-01 00:00"),
        ("0 0 31 * *", "2025-05-30 00:00", "2025-03-31 00:00"),
        ("0 0 29 2 *", "2028-02-28 00:00", "2024-02-29 00:00"),
        ("0 0 29 2 *", "2104-02-28 00:00", "2096-02-29 00:00"),
        ("0 0 * * 7", "2025-01-04 00:00", "2024-12-29 00:00"),
        ("0 9 * jan-mar mon-fri", "2026-01-01 08:00", "2025-03-31 09:00"),
        ("0 0 13 * 5", "2025-01-16 00:00", "2025-01-13 00:00"),
        ("0 0 13 * 5", "2025-01-12 00:00", "2025-01-10 00:00"),
        ("0 0 31 2 *", "2025-01-01 00:00", "nil"),
    ])
    func previousUTC(_ text: String, from: String, expected: String) throws {
        let expression = try CronExpression(parsing: text)
        let result = expression.previous(atOrBefore: cronDate(from))
        #expect(cronText(result) == expected)
        if let result { #expect(expression.matches(result)) }
    }

    @Test func matchesIgnoresSecondsAndChecksFields() throws {
        let expression = try CronExpression(parsing: "0 9 * * mon-fri")
        #expect(expression.matches(cronDate("2025-01-06 09:00")))
        #expect(expression.matches(cronDate("2025-01-06 09:00:59")))
        #expect(!expression.matches(cronDate("2025-01-06 09:01")))
        #expect(!expression.matches(cronDate("2025-01-05 09:00")))
        #expect(!expression.matches(Date(timeIntervalSince1970: .nan)))
        #expect(expression.next(after: Date(timeIntervalSince1970: 1e300)) == nil)
        #expect(expression.previous(atOrBefore: .distantFuture) != nil)
    }

    /// Checks `matches`, `next` and `previous` minute by minute against a Calendar-based predicate.
    @Test("next/previous/matches agree with a minute-by-minute Calendar scan", arguments: [0, 1, 2])
    func bruteForce(_ index: Int) throws {
        let cases: [(String, @Sendable (DateComponents) -> Bool)] = [
            ("*/7 1-3 * * *", { $0.minute! % 7 == 0 && (1...3).contains($0.hour!) }),
            ("15 */5 13 * fri", { $0.minute == 15 && $0.hour! % 5 == 0 && ($0.day == 13 || $0.weekday == 6) }),
            ("0 0 */10 * 1", { $0.minute == 0 && $0.hour == 0 && $0.day! % 10 == 1 && $0.weekday == 2 }),
        ]
        let (text, predicate) = cases[index]
        let expression = try CronExpression(parsing: text)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var minute = cronDate("2025-01-01 00:00")
        var expected: Date?
        let end = cronDate("2025-05-01 00:00")
        var (fired, scanned) = (0, 0)
        var lastFire = expression.previous(atOrBefore: minute.addingTimeInterval(-1))
        while minute < end {
            if expected == nil || expected! < minute {
                expected = expression.next(after: minute.addingTimeInterval(-1))
            }
            let components = calendar.dateComponents([.minute, .hour, .day, .weekday], from: minute)
            let shouldFire = predicate(components)
            #expect(expression.matches(minute) == shouldFire, "\(text) at \(cronText(minute))")
            #expect((expected == minute) == shouldFire, "\(text) at \(cronText(minute))")
            if shouldFire { (fired, lastFire) = (fired + 1, minute) }
            if scanned % 17 == 0 || shouldFire {
                #expect(expression.previous(atOrBefore: minute.addingTimeInterval(30)) == lastFire)
            }
            (minute, scanned) = (minute.addingTimeInterval(60), scanned + 1)
        }
        #expect(fired > 0)
    }

    // MARK: Time zones

    @Test("next and previous in Europe/Berlin, including DST", arguments: [
        // (expression, "next" or "previous", from UTC, expected UTC)
        ("0 9 * * *", "next", "2025-01-15 00:00", "2025-01-15 08:00"),
        ("0 9 * * *", "next", "2025-07-15 00:00", "2025-07-15 07:00"),
        ("0 0 1 1 *", "next", "2025-06-01 00:00", "2025-12-31 23:00"),
        // Spring forward 2025-03-30 02:00 CET -> 03:00 CEST: 02:30 local does not exist that day.
        ("30 2 * * *", "next", "2025-03-29 02:00", "2025-03-31 00:30"),
        ("*/30 * * * *", "next", "2025-03-30 00:45", "2025-03-30 01:00"),
        ("30 2 * * *", "previous", "2025-03-31 00:00", "2025-03-29 01:30"),
        // Fall back 2025-10-26 03:00 CEST -> 02:00 CET: 02:30 local happens twice but fires once.
        ("30 2 * * *", "next", "2025-10-26 00:00", "2025-10-26 00:30"),
        ("30 2 * * *", "next", "2025-10-26 00:30", "2025-10-27 01:30"),
        ("0 * * * *", "next", "2025-10-26 00:00", "2025-10-26 02:00"),
        ("45 2 * * *", "previous", "2025-10-26 01:30", "2025-10-26 00:45"),
        ("30 2 * * *", "previous", "2025-10-26 01:45", "2025-10-26 00:30"),
    ])
    func berlin(_ text: String, direction: String, from: String, expected: String) throws {
        let expression = try CronExpression(parsing: text)
        let start = cronDate(from)
        let result = direction == "next"
            ? expression.next(after: start, in: berlinZone)
            : expression.previous(atOrBefore: start, in: berlinZone)
        #expect(cronText(result) == expected)
        if let result { #expect(expression.matches(result, in: berlinZone)) }
    }

    @Test func berlinWallClockAgreesWithCalendar() throws {
        let expression = try CronExpression(parsing: "15 6 * * mon-fri")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = berlinZone
        var cursor = cronDate("2025-03-20 00:00", in: "Europe/Berlin")
        for _ in 0..<20 {
            let fire = try #require(expression.next(after: cursor, in: berlinZone))
            let c = calendar.dateComponents([.hour, .minute, .weekday], from: fire)
            #expect(c.hour == 6 && c.minute == 15 && (2...6).contains(c.weekday!))
            #expect(expression.previous(atOrBefore: fire, in: berlinZone) == fire)
            #expect(fire > cursor)
            cursor = fire
        }
    }

    @Test func repeatedWallTimeMatchesOnlyOnce() throws {
        let expression = try CronExpression(parsing: "30 2 * * *")
        #expect(expression.matches(cronDate("2025-10-26 00:30"), in: berlinZone))
        #expect(!expression.matches(cronDate("2025-10-26 01:30"), in: berlinZone))
    }

    // MARK: Sync windows and performance

    @Test func syncWindowIsOpenWithinDuration() throws {
        let window = try CronExpression(parsing: "0 22 * * *")
        let duration: TimeInterval = 2 * 3600
        let open = cronDate("2025-01-01 23:30")
        let closed = cronDate("2025-01-02 00:30")
        #expect(try #require(window.previous(atOrBefore: open)) + duration > open)
        #expect(try #require(window.previous(atOrBefore: closed)) + duration <= closed)
    }

    @Test func searchesSkipWholeYearsQuickly() throws {
        let leapDay = try CronExpression(parsing: "0 0 29 2 *")
        let impossible = try CronExpression(parsing: "0 0 31 2 *")
        let start = cronDate("2025-03-01 00:00")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<200 {
                #expect(leapDay.next(after: start) == cronDate("2028-02-29 00:00"))
                #expect(impossible.next(after: start) == nil)
                #expect(impossible.previous(atOrBefore: start) == nil)
            }
        }
        #expect(elapsed < .seconds(60))   // a hang guard: stepping minute by minute through the years would take far longer
    }
}
