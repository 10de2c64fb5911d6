import Foundation
import Manifests

/// Human renderings of times: ages (`5m`) and parsed `--since` values.
enum TimeFormatting {
    static func age(from date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }

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
