/// The schema of `kind: Environment` (`EnvironmentSpec`).
enum EnvironmentSchema {
    /// The fields each driver type uses; the others are refused, as `steward validate` does.
    static let driver: JSONSchema = {
        typealias Kind = DriverSpec.DriverType
        let fields: [Kind: (required: String, allowed: Set<String>)] = [
            .local: ("root", ["root"]),
            .exec: ("command", ["command", "timeoutSeconds", "env", "statusBatch"]),
            .http: ("url", ["url", "timeoutSeconds", "tokenFrom"]),
        ]
        let all: Set<String> = ["root", "command", "timeoutSeconds", "env", "statusBatch", "url", "tokenFrom"]
        var schema = JSONSchema.object([
            "type": JSONSchema.oneOf(Kind.self).described("How actions reach this environment."),
            "root": JSONSchema.string(minLength: 1).described("local: the folder the environment is materialised under."),
            "command": SchemaParts.command("exec: the command, no shell; a relative first element names a script in the repository."),
            "timeoutSeconds": JSONSchema.integer(minimum: 1).described("exec, http: how long one action may take."),
            "env": JSONSchema.map(of: JSONSchema.exactlyOne([
                JSONSchema.string().described("A plain value, written in Git."),
                SchemaParts.secretRef("A secret, resolved when the command runs and redacted from all output."),
            ]))
                .with("propertyNames", .object(["not": .object(["pattern": .string("^STEWARD_")])]))
                .described("exec: extra environment variables (STEWARD_* are set by Steward), each a string or a secret reference."),
            "statusBatch": JSONSchema.integer(minimum: 1, maximum: 1000)
                .described("exec: how many resources one status run answers for (STEWARD_BATCH, a JSON list on stdin); unset: one run each."),
            "url": JSONSchema.string(pattern: "^https?://[^/?#]+").described("http: the console's base URL."),
            "tokenFrom": SchemaParts.secretRef("http: the bearer token."),
        ], required: ["type"])
        for kind in Kind.allCases {
            guard let rule = fields[kind] else { continue }
            let forbidden = JSONSchema.forbidding(all.subtracting(rule.allowed).sorted())
            schema = schema.when("type", is: kind.rawValue, then: forbidden.with("required", .array([.string(rule.required)])))
        }
        return schema
    }()

    static let strategy = JSONSchema.object([
        "type": JSONSchema.oneOf(Strategy.StrategyType.self).described("How a new version rolls out across the environment's Targets (DESIGN §10)."),
        "steps": JSONSchema.array(.integer(minimum: 1, maximum: 100), minItems: 1)
            .described("canary: percentages of the targets, increasing, ending at 100, e.g. [10, 50, 100]."),
        "maxUnavailable": JSONSchema.exactlyOne([
            JSONSchema.integer(minimum: 1),
            JSONSchema.string(pattern: "^(100|[1-9][0-9]?)%$"),
        ]).described("rolling: targets updated at a time, a count (1) or a percentage (\"25%\"); default 1."),
        "pauseSeconds": JSONSchema.integer(minimum: 1).described("canary: wait after a step passed its gates."),
        "approveSteps": JSONSchema.boolean.described("canary: wait for `steward approve DEPLOYMENT --step N` before each later step."),
    ], required: ["type"])
        .when("type", is: Strategy.StrategyType.canary.rawValue, then: JSONSchema.requiring("steps").with("not", .object(["required": .array([.string("maxUnavailable")])])),
              otherwise: .forbidding(["steps", "pauseSeconds", "approveSteps"]))
        .when("type", is: Strategy.StrategyType.blueGreen.rawValue, then: .forbidding(["maxUnavailable"]))

    static let smokeTest = JSONSchema.object([
        "name": JSONSchema.string(minLength: 1).described("Unique within the environment."),
        "endpoint": JSONSchema.string(pattern: "^/").described("A path to call, e.g. /health."),
        "expectedStatus": JSONSchema.integer(minimum: 100, maximum: 599),
        "workflowId": JSONSchema.string(minLength: 1).described("A workflow to run."),
        "expectedOutcome": JSONSchema.string(),
        "timeoutSeconds": JSONSchema.integer(minimum: 1),
    ], required: ["name"])
        .with("oneOf", .array([
            .object(["required": .array([.string("endpoint")]),
                     "properties": .object(["expectedOutcome": .bool(false)])]),
            .object(["required": .array([.string("workflowId")]),
                     "properties": .object(["expectedStatus": .bool(false)])]),
        ]))
        .described("Exactly one of endpoint (with expectedStatus) or workflowId (with expectedOutcome).")

    static let preDeployCheck = JSONSchema.object([
        "name": JSONSchema.string(minLength: 1).described("Unique within the environment."),
        "command": JSONSchema.array(JSONSchema.string(minLength: 1), minItems: 1)
            .described("No shell; a relative program is a script in the repository, run from the checkout of the applied commit."),
        "endpoint": JSONSchema.string(pattern: "^/").described("A path called through the http driver, e.g. /health."),
        "expectedStatus": JSONSchema.integer(minimum: 100, maximum: 599),
        "timeoutSeconds": JSONSchema.integer(minimum: 1).described("Default 60; the command is killed then."),
    ], required: ["name"])
        .with("oneOf", .array([
            .object(["required": .array([.string("command")]),
                     "properties": .object(["endpoint": .bool(false), "expectedStatus": .bool(false)])]),
            .object(["required": .array([.string("endpoint")]),
                     "properties": .object(["command": .bool(false)])]),
        ]))
        .described("Exactly one of command or endpoint (with expectedStatus, default 200).")

    static let gates = JSONSchema.object([
        "smokeTests": JSONSchema.array(smokeTest).described("Run through the driver after each deploy."),
        "requireApproval": JSONSchema.boolean.described("true: wait for `steward approve DEPLOYMENT`."),
        "health": JSONSchema.object([
            "maxErrorRate": JSONSchema.number(minimum: .int(0), maximum: .int(1)),
            "maxP95LatencyMs": JSONSchema.number(exclusiveMinimum: .int(0)),
            "windowSeconds": JSONSchema.integer(minimum: 1),
        ]).described("Every probe during windowSeconds must be healthy and within these limits."),
        "preDeploy": JSONSchema.array(preDeployCheck)
            .described("Run before each deploy or promote into the environment; a failure blocks it. Rollbacks skip them."),
        "backupBefore": JSONSchema.array(SchemaParts.name("A BackupSchedule with verify: true."), uniqueItems: true)
            .described("Run (verified) before each deploy or promote into the environment; a failed backup blocks it."),
    ])

    static let syncWindow = JSONSchema.object([
        "kind": JSONSchema.oneOf(SyncWindow.Kind.self).described("deny wins over allow; with any allow window, applies happen only inside one."),
        "schedule": SchemaParts.cron("When the window opens (5-field cron, in timeZone)."),
        "durationMinutes": JSONSchema.integer(minimum: 1),
        "timeZone": JSONSchema.string(minLength: 1).described("IANA name, e.g. Europe/Berlin (default UTC)."),
    ], required: ["kind", "schedule", "durationMinutes"])

    static let spec = JSONSchema.object([
        "promotesFrom": SchemaParts.name("Versions must be proven in this environment first."),
        "driver": driver,
        "adapters": JSONSchema.array(SchemaParts.name("A RuntimeAdapter present in this environment."), uniqueItems: true),
        "strategy": strategy,
        "gates": gates,
        "autoRollback": JSONSchema.object([
            "enabled": JSONSchema.boolean,
            "revertCommit": JSONSchema.boolean.described("Also write a commit setting the Deployment's spec.version back."),
            "restoreBackup": JSONSchema.boolean
                .described("After rolling back, restore the archives gates.backupBefore took before the failed change (each schedule's spec.restore)."),
        ], required: ["enabled"]).described("Roll a deploy that fails its gates back at once (default: off)."),
        "syncWindows": JSONSchema.array(syncWindow),
    ], required: ["driver"])

    static let schema = SchemaParts.manifest(.environment, spec: spec)
        .document(title: "Steward Environment", description: "Where deployments run, how actions reach it, and its gates (steward/v1).")
}
