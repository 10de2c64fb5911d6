/// The schema of `kind: Deployment` (`DeploymentSpec`).
enum DeploymentSchema {
    static let spec = JSONSchema.object([
        "blueprint": SchemaParts.name("The AgentBlueprint to run."),
        "version": SchemaParts.semver("Default: the highest released version of the blueprint in the repository."),
        "environment": SchemaParts.name("The Environment it runs in."),
        "runtimeAdapter": SchemaParts.name("Default: the environment's only adapter that satisfies the blueprint."),
        "suspend": JSONSchema.boolean.described("true: Steward leaves this Deployment alone (reported as Blocked)."),
        "targetSelector": JSONSchema.object([
            "matchLabels": JSONSchema.map(of: .string()).described("Labels a Target must carry, all of them."),
        ]).described("The environment's Targets this Deployment runs on; default all (DESIGN §10)."),
        "strategy": EnvironmentSchema.strategy.described("Overrides the environment's rollout strategy."),
    ], required: ["blueprint", "environment"])

    static let schema = SchemaParts.manifest(.deployment, spec: spec)
        .document(title: "Steward Deployment", description: "Which blueprint version runs in which environment (steward/v1).")
}
