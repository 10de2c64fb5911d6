import Foundation

extension CanonicalJSON {
    /// The RFC 3339 UTC text of `date` with milliseconds, e.g. `2026-11-23T07:18:37.000Z`.
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, msOfDay) = millis.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, ms) = msOfDay < 0 ? (days - 1, msOfDay + 86_400_000) : (days, msOfDay)
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = day + 719_468, era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
        let dd = doy - (153 * mp + 2) / 5 + 1, mm = mp < 10 ? mp + 3 : mp - 9
        let yyyy = yoe + era * 400 + (mm <= 2 ? 1 : 0)
        var text = ""
        text.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int, _ suffix: String) {
            let digits = String(value)
            text += String(repeating: "0", count: max(0, width - digits.count)) + digits + suffix
        }
        put(yyyy, 4, "-"); put(mm, 2, "-"); put(dd, 2, "T")
        put(ms / 3_600_000, 2, ":"); put(ms / 60_000 % 60, 2, ":"); put(ms / 1000 % 60, 2, ".")
        put(ms % 1000, 3, "Z")
        return text
    }
}
