/// `kind: BackupSchedule` — a declarative, verified, retained backup.
public typealias BackupSchedule = Manifest<BackupScheduleSpec>

public struct BackupScheduleSpec: Codable, Sendable, Hashable {
    public enum Target: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
        case eventLog, stateStore, command
    }

    /// 5-field cron, UTC.
    public var schedule: String
    public var target: Target
    /// Only for `target: command`.
    public var command: [String]?
    /// Only for `target: command`: restores an archive (its path in `STEWARD_BACKUP_ARCHIVE`).
    public var restore: [String]?
    public var destination: String
    public var retention: Retention?
    public var verify: Bool?
    public var timeoutSeconds: Int?
}

/// How many archives to keep.
public struct Retention: Codable, Sendable, Hashable {
    public var keepLast: Int?
    public var maxAgeDays: Int?
}
