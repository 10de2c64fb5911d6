/// The schema of `kind: BackupSchedule` (`BackupScheduleSpec`).
enum BackupScheduleSchema {
    static let spec = JSONSchema.object([
        "schedule": SchemaParts.cron("5-field cron expression, UTC."),
        "target": JSONSchema.oneOf(BackupScheduleSpec.Target.self).described("What is backed up."),
        "command": SchemaParts.command("Only for target: command: the program and its arguments."),
        "restore": SchemaParts.command("Only for target: command: restores an archive, whose path it gets in STEWARD_BACKUP_ARCHIVE."),
        "destination": JSONSchema.string(minLength: 1).described("Folder the archives are written to."),
        "retention": JSONSchema.object([
            "keepLast": JSONSchema.integer(minimum: 1),
            "maxAgeDays": JSONSchema.integer(minimum: 1),
        ]).described("How many archives to keep."),
        "verify": JSONSchema.boolean.described("Check each archive after writing it and write ARCHIVE.sha256 beside it."),
        "timeoutSeconds": JSONSchema.integer(minimum: 1),
    ], required: ["schedule", "target", "destination"])
        .when("target", is: BackupScheduleSpec.Target.command.rawValue, then: .requiring("command"), otherwise: .forbidding(["command", "restore"]))

    static let schema = SchemaParts.manifest(.backupSchedule, spec: spec)
        .document(title: "Steward BackupSchedule", description: "A declarative, verified, retained backup (steward/v1).")
}
