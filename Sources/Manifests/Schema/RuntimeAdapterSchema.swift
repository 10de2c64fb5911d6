/// The schema of `kind: RuntimeAdapter` (`RuntimeAdapterSpec`).
enum RuntimeAdapterSchema {
    /// The spec, with the configuration shape of each runtime type the guides configure.
    static let spec: JSONSchema = RuntimeConfigRules.shapes.reduce(fields) { schema, entry in
        schema.adding(rule: .object([
            "if": .object([
                "properties": .object(["runtimeType": .object(["enum": .array(entry.runtimes.map { .string($0.rawValue) })])]),
                "required": .array([.string("runtimeType")]),
            ]),
            "then": .object(["properties": .object(["config": entry.shape.schema.json])]),
        ]))
    }

    static let fields = JSONSchema.object([
        "runtimeType": JSONSchema.oneOf(RuntimeType.self).described("The platform this adapter drives."),
        "displayName": JSONSchema.string().described("The adapter's name for people, e.g. Main Robotics Runtime."),
        "description": JSONSchema.string().described("What this adapter is, for people."),
        "enabled": JSONSchema.boolean.described("A disabled adapter cannot be used by any Deployment (default true)."),
        "capabilities": JSONSchema.exactlyOne([
            JSONSchema.map(of: .boolean).described("Capability flags, e.g. {realTime: true, perception: true}."),
            SchemaParts.capabilityNames("Capability names, each one provided."),
        ]).described("A map of booleans or a list of names; names compare after normalising to kebab-case."),
        "provides": SchemaParts.capabilityNames("Extra capability names this platform provides (sensors, actuators)."),
        "config": JSONSchema.freeForm.described(
            "Runtime-specific settings; robotics, mobile, desktop and smart-glasses take the shapes of the Aureus deployment guide (other keys are free)."),
    ], required: ["runtimeType"])

    static let schema = SchemaParts.manifest(.runtimeAdapter, spec: spec)
        .document(title: "Steward RuntimeAdapter", description: "A runtime platform agents are deployed onto (steward/v1).")
}
