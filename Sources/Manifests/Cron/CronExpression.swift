import Foundation

/// A cron expression that could not be parsed, with the column of the offending field.
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One-line explanation, e.g. "field 2 (hour): 24 is out of range 0-23".
    public let message: String
    /// 0-based character offset of the offending field in the expression (0 when not tied to a field).
    public let column: Int

    /// Creates an error with a message and the column it points at.
    public init(message: String, column: Int = 0) {
        self.message = message
        self.column = column
    }

    /// The message, so the error prints as one clear line.
    public var description: String { message }
}

/// A classic (Vixie) 5-field cron schedule: minute hour day-of-month month day-of-week.
///
/// Each field is stored as a bitset (bit `n` set means value `n` is allowed). When both
/// day-of-month and day-of-week are restricted (neither field text starts with `*`), a day
/// matches when either matches; otherwise both must match, so a bare `*` defers to the other.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression text exactly as given to `init(parsing:)`.
    public let source: String
    /// Allowed minutes, bits 0-59.
    let minutes: UInt64
    /// Allowed hours, bits 0-23.
    let hours: UInt64
    /// Allowed days of the month, bits 1-31.
    let daysOfMonth: UInt64
    /// Allowed months, bits 1-12.
    let months: UInt64
    /// Allowed days of the week, bits 0-6 (0 = Sunday; 7 is folded into 0).
    let daysOfWeek: UInt64
    /// Whether the day-of-month field text starts with `*`.
    let dayOfMonthIsStar: Bool
    /// Whether the day-of-week field text starts with `*`.
    let dayOfWeekIsStar: Bool

    /// The source text.
    public var description: String { source }

    /// Parses a 5-field cron expression; fields are separated by any run of spaces or tabs.
    public init(parsing text: String) throws(CronError) {
        let fields = Self.splitFields(text)
        if let first = fields.first, first.text.hasPrefix("@") {
            throw CronError(
                message: "macros like '\(first.text)' are not supported; use 5 fields "
                    + "(minute hour day-of-month month day-of-week)",
                column: first.column)
        }
        guard fields.count == 5 else {
            throw CronError(
                message: "expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)",
                column: fields.count > 5 ? fields[5].column : 0)
        }
        var masks: [UInt64] = []
        for (kind, field) in zip(Field.allCases, fields) {
            masks.append(try kind.parse(field.text, column: field.column))
        }
        source = text
        minutes = masks[0]
        hours = masks[1]
        daysOfMonth = masks[2]
        months = masks[3]
        let dow = masks[4]
        daysOfWeek = (dow & 0x7F) | (dow >> 7 & 1)
        dayOfMonthIsStar = fields[2].text.hasPrefix("*")
        dayOfWeekIsStar = fields[4].text.hasPrefix("*")
    }

    /// Splits `text` on whitespace, remembering each field's 0-based character column.
    private static func splitFields(_ text: String) -> [(text: String, column: Int)] {
        var fields: [(text: String, column: Int)] = []
        var current = ""
        var start = 0
        for (offset, character) in text.enumerated() {
            if character.isWhitespace {
                if !current.isEmpty { fields.append((current, start)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.append(character)
            }
        }
        if !current.isEmpty { fields.append((current, start)) }
        return fields
    }
}

extension CronExpression {
    /// One of the five cron fields, with its bounds and (for month and day-of-week) names.
    enum Field: Int, CaseIterable, Sendable {
        case minute, hour, dayOfMonth, month, dayOfWeek

        /// The field's name as used in error messages.
        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        /// The smallest and largest accepted number (day-of-week accepts 7 as Sunday).
        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// Lower-case three-letter names, the first of which stands for `bounds.lowerBound`.
        var names: [String] {
            switch self {
            case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }

        /// Parses one field's text (a comma-separated list) into a bitset of allowed values.
        func parse(_ text: String, column: Int) throws(CronError) -> UInt64 {
            let fail = { (reason: String) in
                CronError(message: "field \(rawValue + 1) (\(name)): \(reason)", column: column)
            }
            if let bad = text.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "*,-/".contains($0))) }) {
                throw fail("unexpected character '\(bad)'")
            }
            var mask: UInt64 = 0
            for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard !item.isEmpty else { throw fail("empty item in list '\(text)'") }
                mask |= try parseItem(String(item), fail: fail)
            }
            return mask
        }

        /// Parses `*`, `n`, `a-b`, each optionally followed by `/step`, into a bitset.
        private func parseItem(_ item: String, fail: (String) -> CronError) throws(CronError) -> UInt64 {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("unexpected '/' in '\(item)'") }
            let base = String(parts[0])
            let step = parts.count == 2 ? try parseStep(String(parts[1]), item: item, fail: fail) : 1
            let low: Int, high: Int
            if base == "*" {
                (low, high) = (bounds.lowerBound, bounds.upperBound)
            } else if base.isEmpty {
                throw fail("missing value before '/' in '\(item)'")
            } else if base.contains("*") {
                throw fail("'*' must stand alone or be followed by a step, got '\(item)'")
            } else if base.hasPrefix("-") {
                throw fail("negative values are not allowed, got '\(item)'")
            } else {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw fail("invalid range '\(base)'") }
                if ends.count == 2 {
                    guard !ends[1].isEmpty else { throw fail("incomplete range '\(base)'") }
                    low = try value(String(ends[0]), fail: fail)
                    high = try value(String(ends[1]), fail: fail)
                    guard low <= high else { throw fail("range \(base) is reversed (start must not exceed end)") }
                } else {
                    low = try value(base, fail: fail)
                    high = parts.count == 2 ? bounds.upperBound : low
                }
            }
            var mask: UInt64 = 0
            for bit in stride(from: low, through: high, by: step) { mask |= 1 << UInt64(bit) }
            return mask
        }

        /// Parses the text after `/`: a positive number no larger than the field's span.
        private func parseStep(_ text: String, item: String, fail: (String) -> CronError) throws(CronError) -> Int {
            let span = bounds.count
            guard !text.isEmpty else { throw fail("missing step after '/' in '\(item)'") }
            if text.hasPrefix("-") { throw fail("step must be positive, got \(text)") }
            guard text.allSatisfy(\.isNumber) else { throw fail("invalid step '\(text)' in '\(item)'") }
            guard let step = Int(text), step <= span else { throw fail("step \(text) is out of range 1-\(span)") }
            guard step > 0 else { throw fail("step must be positive, got \(text)") }
            return step
        }

        /// Parses a number or (for month and day-of-week) a three-letter name, checking bounds.
        private func value(_ token: String, fail: (String) -> CronError) throws(CronError) -> Int {
            if token.allSatisfy(\.isNumber) {
                guard let number = Int(token), bounds.contains(number) else {
                    throw fail("\(token) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
                }
                return number
            }
            guard token.allSatisfy(\.isLetter) else { throw fail("invalid value '\(token)'") }
            guard !names.isEmpty else {
                throw fail("invalid value '\(token)' (names are only allowed for month and day-of-week)")
            }
            guard let index = names.firstIndex(of: token.lowercased()) else {
                let kind = self == .month ? "month" : "day"
                throw fail("unknown \(kind) name '\(token)' (expected \(names.first!)-\(names.last!))")
            }
            return bounds.lowerBound + index
        }
    }
}
