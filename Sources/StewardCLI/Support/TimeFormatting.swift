import Foundation
import EventLog
import Manifests

/// Parsing of `--since` values.
enum TimeFormatting {
    /// `--since 10m` (a duration back from now) or an RFC 3339 time.
    static func since(_ text: String, now: Date = Date()) -> Date? {
        if let seconds = ControllerConfig.seconds(text) { return now.addingTimeInterval(-seconds) }
        return EventTime.parse(text)
    }
}
