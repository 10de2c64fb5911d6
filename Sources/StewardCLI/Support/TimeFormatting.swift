import Foundation
import Manifests

/// Parsing of `--since` values.
enum TimeFormatting {
    /// `--since 10m` (a duration back from now) or an RFC 3339 time.
    static func since(_ text: String, now: Date = Date()) -> Date? {
        if let seconds = ControllerConfig.seconds(text) { return now.addingTimeInterval(-seconds) }
        return EventTimeParser.parse(text)
    }
}

/// RFC 3339 parsing with or without fractional seconds.
enum EventTimeParser {
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
