import Foundation

/// Archive file names: `<schedule>-<yyyyMMddTHHmmssZ>.<ext>` (UTC), each with an optional
/// `<archive>.sha256` beside it once verified.
public enum BackupArchiveName {
    /// The extensions Steward writes: event log, SQLite copy, `pg_dump` custom format, command output.
    public static let extensions = ["tar.gz", "sqlite", "dump", "backup"]
    /// The checksum file's suffix.
    public static let checksumSuffix = ".sha256"

    /// `20240131T235900Z` for a date (whole seconds, UTC).
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// The date of a `yyyyMMddTHHmmssZ` stamp, or nil when the text is not one.
    public static func parseTimestamp(_ text: Substring) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(chars[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
              let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// `<schedule>-<stamp>.<ext>`.
    public static func make(schedule: String, date: Date, extension ext: String) -> String {
        "\(schedule)-\(timestamp(date)).\(ext)"
    }

    /// The stamp's date of `fileName` when it is an archive of `schedule` (checksum files and
    /// other schedules' archives, even ones whose name starts with this one's, are not).
    public static func parse(_ fileName: String, schedule: String) -> Date? {
        let prefix = schedule + "-"
        guard fileName.hasPrefix(prefix) else { return nil }
        let rest = fileName.dropFirst(prefix.count)
        guard rest.count > 17, let dot = rest.index(rest.startIndex, offsetBy: 16, limitedBy: rest.endIndex),
              rest[dot] == ".", extensions.contains(String(rest[rest.index(after: dot)...]))
        else { return nil }
        return parseTimestamp(rest[..<dot])
    }
}
