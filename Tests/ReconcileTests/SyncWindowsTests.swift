import Foundation
import Manifests
import Reconcile
import Testing

/// A sync window as a manifest writes it; decoded into `SyncWindow` by the test.
struct WindowSpec: Codable, Sendable {
    var kind: String
    var schedule: String
    var durationMinutes: Int
    var timeZone: String?

    static func allow(_ schedule: String, _ minutes: Int, _ zone: String? = nil) -> WindowSpec {
        WindowSpec(kind: "allow", schedule: schedule, durationMinutes: minutes, timeZone: zone)
    }

    static func deny(_ schedule: String, _ minutes: Int, _ zone: String? = nil) -> WindowSpec {
        WindowSpec(kind: "deny", schedule: schedule, durationMinutes: minutes, timeZone: zone)
    }

    func decoded() throws -> SyncWindow { try JSONDecoder().decode(SyncWindow.self, from: JSONEncoder().encode(self)) }
}

/// One row: windows, a moment, and whether applies may run then (or until when they wait).
struct WindowCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case open
        case closedUntil(String)
        case neverOpens
    }

    var name: String
    var windows: [WindowSpec]
    var at: String
    var expected: Expected

    var testDescription: String { "\(name) at \(at)" }
}

/// `SyncWindows.state` and `isAllowed` (DESIGN §2, §6): deny wins, allow-only schedules, time zones, DST.
@Suite("Sync windows: open, closed until, never")
struct SyncWindowsTests {
    private static let businessHours = WindowSpec.allow("0 9 * * 1-5", 480)
    private static let berlinBusinessHours = WindowSpec.allow("0 9 * * 1-5", 480, "Europe/Berlin")
    private static let berlinWeekend = WindowSpec.deny("0 0 * * 6", 2880, "Europe/Berlin")
    private static let berlinNightly = WindowSpec.deny("30 2 * * *", 60, "Europe/Berlin")

    static let allowOnly: [WindowCase] = [
        WindowCase(name: "no windows", windows: [], at: "2026-01-17T12:00:00Z", expected: .open),
        WindowCase(name: "weekday 09-17 UTC, a minute early", windows: [businessHours], at: "2026-01-14T08:59:00Z",
                   expected: .closedUntil("2026-01-14T09:00:00Z")),
        WindowCase(name: "weekday 09-17 UTC, opening", windows: [businessHours], at: "2026-01-14T09:00:00Z", expected: .open),
        WindowCase(name: "weekday 09-17 UTC, last second", windows: [businessHours], at: "2026-01-14T16:59:59Z", expected: .open),
        WindowCase(name: "weekday 09-17 UTC, closing", windows: [businessHours], at: "2026-01-14T17:00:00Z",
                   expected: .closedUntil("2026-01-15T09:00:00Z")),
        WindowCase(name: "weekday 09-17 UTC, Friday evening waits for Monday", windows: [businessHours], at: "2026-01-16T17:00:00Z",
                   expected: .closedUntil("2026-01-19T09:00:00Z")),
        WindowCase(name: "weekday 09-17 UTC, Saturday", windows: [businessHours], at: "2026-01-17T12:00:00Z",
                   expected: .closedUntil("2026-01-19T09:00:00Z")),
        WindowCase(name: "22-02 UTC spans midnight, before it", windows: [.allow("0 22 * * *", 240)], at: "2026-01-14T23:30:00Z",
                   expected: .open),
        WindowCase(name: "22-02 UTC spans midnight, after it", windows: [.allow("0 22 * * *", 240)], at: "2026-01-15T01:59:59Z",
                   expected: .open),
        WindowCase(name: "22-02 UTC spans midnight, closing", windows: [.allow("0 22 * * *", 240)], at: "2026-01-15T02:00:00Z",
                   expected: .closedUntil("2026-01-15T22:00:00Z")),
    ]

    static let denyWins: [WindowCase] = [
        WindowCase(name: "always allowed, deny 12-13: before", windows: [.allow("0 0 * * *", 1440), .deny("0 12 * * *", 60)],
                   at: "2026-01-14T11:59:59Z", expected: .open),
        WindowCase(name: "always allowed, deny 12-13: inside", windows: [.allow("0 0 * * *", 1440), .deny("0 12 * * *", 60)],
                   at: "2026-01-14T12:00:00Z", expected: .closedUntil("2026-01-14T13:00:00Z")),
        WindowCase(name: "always allowed, deny 12-13: after", windows: [.allow("0 0 * * *", 1440), .deny("0 12 * * *", 60)],
                   at: "2026-01-14T13:00:00Z", expected: .open),
        WindowCase(name: "deny 16-18 outlasts allow 09-17", windows: [.allow("0 9 * * *", 480), .deny("0 16 * * *", 120)],
                   at: "2026-01-14T16:30:00Z", expected: .closedUntil("2026-01-15T09:00:00Z")),
        WindowCase(name: "allow 09-10 opens inside deny 08-09:30", windows: [.allow("0 9 * * *", 60), .deny("0 8 * * *", 90)],
                   at: "2026-01-14T07:00:00Z", expected: .closedUntil("2026-01-14T09:30:00Z")),
        WindowCase(name: "overlapping denies 10-12 and 11-13", windows: [.deny("0 10 * * *", 120), .deny("0 11 * * *", 120)],
                   at: "2026-01-14T10:30:00Z", expected: .closedUntil("2026-01-14T13:00:00Z")),
        WindowCase(name: "a weekend deny inside daily allows", windows: [.allow("0 9 * * *", 480), .deny("0 0 * * 6", 2880)],
                   at: "2026-01-17T10:00:00Z", expected: .closedUntil("2026-01-19T09:00:00Z")),
        WindowCase(name: "an every-minute allow waits out a weekend deny", windows: [.allow("* * * * *", 1), .deny("0 0 * * 6", 2880)],
                   at: "2026-11-28T00:00:00Z", expected: .closedUntil("2026-11-30T00:00:00Z")),
        WindowCase(name: "minute-by-minute business hours through a two-week freeze",
                   windows: [.allow("* 9-16 * * 1-5", 1), .deny("0 0 21 12 *", 20160)],
                   at: "2026-12-22T10:00:00Z", expected: .closedUntil("2027-01-04T09:00:00Z")),
    ]

    static let timeZones: [WindowCase] = [
        WindowCase(name: "Berlin weekend (2880 min): Friday 23:59:59", windows: [berlinWeekend], at: "2026-11-27T22:59:59Z", expected: .open),
        WindowCase(name: "Berlin weekend (2880 min): Saturday 00:00", windows: [berlinWeekend], at: "2026-11-27T23:00:00Z",
                   expected: .closedUntil("2026-11-29T23:00:00Z")),
        WindowCase(name: "Berlin weekend (2880 min): Sunday 23:59:59", windows: [berlinWeekend], at: "2026-11-29T22:59:59Z",
                   expected: .closedUntil("2026-11-29T23:00:00Z")),
        WindowCase(name: "Berlin weekend (2880 min): Monday 00:00", windows: [berlinWeekend], at: "2026-11-29T23:00:00Z", expected: .open),
        WindowCase(name: "the same weekend in UTC is still open", windows: [.deny("0 0 * * 6", 2880)], at: "2026-11-27T23:00:00Z",
                   expected: .open),
        WindowCase(name: "the same weekend in UTC", windows: [.deny("0 0 * * 6", 2880)], at: "2026-11-28T00:00:00Z",
                   expected: .closedUntil("2026-11-30T00:00:00Z")),
        WindowCase(name: "an unknown time zone counts as UTC", windows: [.deny("0 0 * * 6", 2880, "Mars/Olympus_Mons")],
                   at: "2026-11-28T00:00:00Z", expected: .closedUntil("2026-11-30T00:00:00Z")),
        WindowCase(name: "Berlin 09-17 CET on the Friday before DST", windows: [berlinBusinessHours], at: "2026-03-27T08:00:00Z",
                   expected: .open),
        WindowCase(name: "Berlin 09-17 CET, last second", windows: [berlinBusinessHours], at: "2026-03-27T15:59:59Z", expected: .open),
        WindowCase(name: "Berlin 09-17: Friday 17:00 CET waits for Monday 09:00 CEST", windows: [berlinBusinessHours],
                   at: "2026-03-27T16:00:00Z", expected: .closedUntil("2026-03-30T07:00:00Z")),
        WindowCase(name: "Berlin 09-17 CEST, a second early", windows: [berlinBusinessHours], at: "2026-03-30T06:59:59Z",
                   expected: .closedUntil("2026-03-30T07:00:00Z")),
        WindowCase(name: "Berlin 09-17 CEST, last second", windows: [berlinBusinessHours], at: "2026-03-30T14:59:59Z", expected: .open),
        WindowCase(name: "Berlin 09-17 CEST, closing", windows: [berlinBusinessHours], at: "2026-03-30T15:00:00Z",
                   expected: .closedUntil("2026-03-31T07:00:00Z")),
        WindowCase(name: "2880 real minutes across spring-forward end Monday 01:00 CEST", windows: [berlinWeekend],
                   at: "2026-03-29T22:30:00Z", expected: .closedUntil("2026-03-29T23:00:00Z")),
        WindowCase(name: "2880 real minutes across fall-back end Sunday 23:00 CET", windows: [berlinWeekend],
                   at: "2026-10-25T22:30:00Z", expected: .open),
        WindowCase(name: "02:30 Berlin the day before spring-forward", windows: [berlinNightly], at: "2026-03-28T01:45:00Z",
                   expected: .closedUntil("2026-03-28T02:30:00Z")),
        WindowCase(name: "02:30 Berlin does not exist on spring-forward day", windows: [berlinNightly], at: "2026-03-29T01:15:00Z",
                   expected: .open),
        WindowCase(name: "02:30 Berlin on fall-back day: the first 02:30 fires", windows: [berlinNightly], at: "2026-10-25T00:45:00Z",
                   expected: .closedUntil("2026-10-25T01:30:00Z")),
        WindowCase(name: "02:30 Berlin on fall-back day: the repeated 02:45 is open", windows: [berlinNightly],
                   at: "2026-10-25T01:45:00Z", expected: .open),
    ]

    static let neverAndBadCron: [WindowCase] = [
        WindowCase(name: "a deny all day, every day", windows: [.deny("0 0 * * *", 1440)], at: "2026-01-14T12:00:00Z", expected: .neverOpens),
        WindowCase(name: "an allow on 31 February", windows: [.allow("0 0 31 2 *", 60)], at: "2026-01-14T12:00:00Z", expected: .neverOpens),
        WindowCase(name: "an allow whose cron is bad never opens", windows: [.allow("every day at noon", 60)], at: "2026-01-14T12:00:00Z",
                   expected: .neverOpens),
        WindowCase(name: "a deny whose cron is bad is ignored", windows: [.deny("61 * * * *", 60)], at: "2026-01-14T12:00:00Z",
                   expected: .open),
        WindowCase(name: "a 6-field deny beside business hours is ignored", windows: [businessHours, .deny("0 0 * * * *", 1440)],
                   at: "2026-01-14T10:00:00Z", expected: .open),
        WindowCase(name: "a macro allow beside business hours is ignored", windows: [businessHours, .allow("@daily", 1440)],
                   at: "2026-01-14T08:59:00Z", expected: .closedUntil("2026-01-14T09:00:00Z")),
    ]

    @Test(arguments: allowOnly + denyWins + timeZones + neverAndBadCron)
    func state(_ row: WindowCase) throws {
        let windows = try row.windows.map { try $0.decoded() }
        let now = try GateFixture.date(row.at)
        let expected: SyncWindowState
        switch row.expected {
        case .open: expected = .open
        case .closedUntil(let text): expected = .closed(until: try GateFixture.date(text))
        case .neverOpens: expected = .closed(until: nil)
        }
        #expect(SyncWindows.state(windows, at: now) == expected)
        #expect(SyncWindows.isAllowed(windows, at: now) == expected.isOpen)
    }

    /// A window is active from its fire time (inclusive) for `durationMinutes` (end exclusive).
    @Test(arguments: [
        ("2026-01-14T08:59:59Z", false), ("2026-01-14T09:00:00Z", true), ("2026-01-14T09:59:59Z", true), ("2026-01-14T10:00:00Z", false),
    ])
    func activeFromFireTimeUntilTheDurationEnds(_ at: String, _ active: Bool) throws {
        let window = try WindowSpec.allow("0 9 * * *", 60).decoded()
        #expect(SyncWindows.isActive(window, at: try GateFixture.date(at)) == active)
        #expect(SyncWindows.isActive(try WindowSpec.allow("0 9 * * *", 0).decoded(), at: try GateFixture.date(at)) == false)
    }

    @Test func reasonsNameTheTimeInUTCWithMilliseconds() throws {
        #expect(SyncWindowState.open.reason == "sync window open")
        #expect(SyncWindowState.closed(until: try GateFixture.date("2026-11-29T23:00:00Z")).reason == "sync window until 2026-11-29T23:00:00.000Z")
        #expect(SyncWindowState.closed(until: nil).reason == "sync window: no allow window ever opens")
        #expect(SyncWindowState.open.isOpen && !SyncWindowState.closed(until: nil).isOpen)
    }
}
