import Foundation

/// A value bound to or read from a query; the store uses only text and 64-bit integers.
enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)
    /// A text array (PostgreSQL `= ANY($1)` only).
    case textArray([String])

    /// Text, or null when nil.
    static func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    /// An integer, or null when nil.
    static func int(_ value: Int64?) -> SQLValue { value.map(SQLValue.int) ?? .null }
    /// A date as epoch milliseconds.
    static func date(_ value: Date) -> SQLValue { .int(StoreTime.millis(value)) }
    /// A date as epoch milliseconds, or null when nil.
    static func date(_ value: Date?) -> SQLValue { value.map(SQLValue.date) ?? .null }
}

/// One result row, its values in the order of the SELECT list.
struct StoreRow: Sendable {
    var values: [SQLValue]

    /// The text at `index`; throws when it is null or not text.
    func text(_ index: Int) throws -> String {
        guard let value = optionalText(index) else { throw StoreRow.mismatch(index, "text", values[index]) }
        return value
    }

    /// The text at `index`, nil when null.
    func optionalText(_ index: Int) -> String? {
        switch values[index] {
        case .text(let value): return value
        case .int(let value): return String(value)
        default: return nil
        }
    }

    /// The integer at `index`; throws when it is null or not an integer.
    func int(_ index: Int) throws -> Int64 {
        guard let value = try optionalInt(index) else { throw StoreRow.mismatch(index, "an integer", values[index]) }
        return value
    }

    /// The integer at `index`, nil when null.
    func optionalInt(_ index: Int) throws -> Int64? {
        switch values[index] {
        case .null: return nil
        case .int(let value): return value
        case .text(let text):
            guard let value = Int64(text) else { throw StoreRow.mismatch(index, "an integer", values[index]) }
            return value
        case .textArray: throw StoreRow.mismatch(index, "an integer", values[index])
        }
    }

    /// The date (epoch milliseconds) at `index`.
    func date(_ index: Int) throws -> Date { StoreTime.date(try int(index)) }

    /// The date at `index`, nil when null.
    func optionalDate(_ index: Int) throws -> Date? { try optionalInt(index).map(StoreTime.date) }

    private static func mismatch(_ index: Int, _ expected: String, _ found: SQLValue) -> StoreError {
        StoreError(.corrupt, "column \(index + 1) of a stored row is \(found), expected \(expected)")
    }
}

/// Timestamps are stored as epoch milliseconds, so dates round-trip at millisecond precision.
enum StoreTime {
    /// Milliseconds since 1970, rounded.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    /// The date of `millis` since 1970.
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
