import Foundation
import Manifests

/// `retention: {keepLast, maxAgeDays}` over one schedule's archives in its destination (matched
/// by the `<name>-<stamp>.<ext>` name). The newest verified archive (one with a `.sha256` beside
/// it) is never deleted — nor, when none is verified, the newest archive.
public enum BackupRetention {
    /// One archive found in a destination.
    public struct Archive: Sendable, Hashable {
        public var path: String
        public var date: Date
        public var verified: Bool

        public init(path: String, date: Date, verified: Bool) {
            self.path = path
            self.date = date
            self.verified = verified
        }

        public var name: String { (path as NSString).lastPathComponent }
    }

    /// The archives of `schedule` in `destination`, newest first.
    public static func archives(in destination: String, schedule: String) -> [Archive] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []
        let present = Set(names)
        return names.compactMap { name -> Archive? in
            guard let date = BackupArchiveName.parse(name, schedule: schedule) else { return nil }
            return Archive(path: (destination as NSString).appendingPathComponent(name), date: date,
                           verified: present.contains(name + BackupArchiveName.checksumSuffix))
        }.sorted { $0.date != $1.date ? $0.date > $1.date : $0.name > $1.name }
    }

    /// The archives to delete (pure): beyond the newest `keepLast`, or older than `maxAgeDays`
    /// before `now`, except the protected one.
    public static func expired(_ archives: [Archive], retention: Retention?, now: Date) -> [Archive] {
        guard let retention, retention.keepLast != nil || retention.maxAgeDays != nil else { return [] }
        let sorted = archives.sorted { $0.date != $1.date ? $0.date > $1.date : $0.name > $1.name }
        let protected = sorted.first(where: \.verified) ?? sorted.first
        let cutoff = retention.maxAgeDays.map { now.addingTimeInterval(-Double($0) * 86_400) }
        return sorted.enumerated().compactMap { index, archive in
            guard archive != protected else { return nil }
            let beyondCount = retention.keepLast.map { index >= $0 } ?? false
            let tooOld = cutoff.map { archive.date < $0 } ?? false
            return beyondCount || tooOld ? archive : nil
        }
    }

    /// Deletes the expired archives of `schedule` and their checksum files; returns the deleted
    /// archive names and the problems met (a file that cannot be deleted is reported, not fatal).
    public static func apply(destination: String, schedule: String, retention: Retention?, now: Date) -> (deleted: [String], problems: [String]) {
        var deleted: [String] = [], problems: [String] = []
        for archive in expired(archives(in: destination, schedule: schedule), retention: retention, now: now) {
            do {
                try FileManager.default.removeItem(atPath: archive.path)
                deleted.append(archive.name)
            } catch {
                problems.append("cannot delete \(archive.path): \(error.localizedDescription)")
                continue
            }
            let checksum = archive.path + BackupArchiveName.checksumSuffix
            if FileManager.default.fileExists(atPath: checksum) {
                do { try FileManager.default.removeItem(atPath: checksum) } catch {
                    problems.append("cannot delete \(checksum): \(error.localizedDescription)")
                }
            }
        }
        return (deleted, problems)
    }
}
