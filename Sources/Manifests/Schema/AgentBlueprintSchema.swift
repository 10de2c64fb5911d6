/// The schema of `kind: AgentBlueprint` (`AgentBlueprintSpec`).
enum AgentBlueprintSchema {
    static let toolAdapter = JSONSchema.object([
        "adapterId": JSONSchema.string(minLength: 1).described("Unique within the blueprint."),
        "adapterType": JSONSchema.string(minLength: 1),
        "name": JSONSchema.string().described("The tool adapter's name for people."),
        "enabled": JSONSchema.boolean.described("Default true; only enabled tool adapters add required capabilities."),
        "requiredCapabilities": SchemaParts.capabilityNames("Capabilities this tool adapter needs from the runtime adapter."),
        "config": JSONSchema.freeForm.described("Tool-specific settings (free-form)."),
    ], required: ["adapterId", "adapterType"])

    static let policy = JSONSchema.object([
        "policyId": JSONSchema.string(minLength: 1),
        "name": JSONSchema.string().described("The policy's name for people."),
        "enabled": JSONSchema.boolean,
        "rules": JSONSchema.array(.object([
            "type": JSONSchema.string(minLength: 1).described("The rule type, e.g. velocity_limit."),
            "parameters": JSONSchema.freeForm.described("Rule parameters (free-form)."),
        ], required: ["type"])),
    ], required: ["policyId"])

    static let spec = JSONSchema.object([
        "version": SchemaParts.semver("The semantic version of this blueprint; immutable once registered."),
        "displayName": JSONSchema.string(),
        "goal": JSONSchema.string(),
        "deploymentTarget": JSONSchema.oneOf(RuntimeType.self).described("Must equal the runtimeType of the adapter it runs on."),
        "requiredCapabilities": SchemaParts.capabilityNames("Every one must be provided by the runtime adapter."),
        "toolAdapters": JSONSchema.array(toolAdapter),
        "config": JSONSchema.freeForm
            .with("properties", .object(["temperature": .object(["minimum": .int(0), "maximum": .int(2)])]))
            .described("Agent settings (free-form), e.g. prompt and temperature (0 to 2)."),
        "policies": JSONSchema.array(policy),
    ], required: ["version", "deploymentTarget"])

    static let schema = SchemaParts.manifest(.agentBlueprint, spec: spec)
        .document(title: "Steward AgentBlueprint", description: "One immutable version of an agent (steward/v1).")
}
