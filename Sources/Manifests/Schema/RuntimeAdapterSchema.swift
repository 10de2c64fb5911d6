/// The schema of `kind: RuntimeAdapter` (`RuntimeAdapterSpec`).
enum RuntimeAdapterSchema {
    static let spec = JSONSchema.object([
        "runtimeType": JSONSchema.oneOf(RuntimeType.self).described("The platform this adapter drives."),
        "description": JSONSchema.string().described("What this adapter is, for people."),
        "enabled": JSONSchema.boolean.described("A disabled adapter cannot be used by any Deployment (default true)."),
        "capabilities": JSONSchema.exactlyOne([
            JSONSchema.map(of: .boolean).described("Capability flags, e.g. {realTime: true, perception: true}."),
            SchemaParts.capabilityNames("Capability names, each one provided."),
        ]).described("A map of booleans or a list of names; names compare after normalising to kebab-case."),
        "provides": SchemaParts.capabilityNames("Extra capability names this platform provides (sensors, actuators)."),
        "config": JSONSchema.freeForm.described(
            "Runtime-specific settings (free-form); steward validate checks robotics, mobile, desktop and smart-glasses shapes."),
    ], required: ["runtimeType"])

    static let schema = SchemaParts.manifest(.runtimeAdapter, spec: spec)
        .document(title: "Steward RuntimeAdapter", description: "A runtime platform agents are deployed onto (steward/v1).")
}
