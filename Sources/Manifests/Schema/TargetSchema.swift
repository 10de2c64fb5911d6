/// The schema of `kind: Target` (`TargetSpec`, DESIGN §10).
enum TargetSchema {
    static let spec = JSONSchema.object([
        "environment": SchemaParts.name("The Environment this target belongs to."),
        "driver": JSONSchema.object([
            "root": JSONSchema.string(minLength: 1).described("local: the folder this target is materialised under."),
            "url": JSONSchema.string(pattern: "^https?://[^/?#]+").described("http: this target's console base URL."),
            "tokenFrom": SchemaParts.secretRef("http: this target's bearer token."),
            "env": JSONSchema.map(of: JSONSchema.exactlyOne([
                JSONSchema.string(),
                SchemaParts.secretRef("A secret, resolved when the command runs."),
            ]))
                .with("propertyNames", .object(["not": .object(["pattern": .string("^STEWARD_")])]))
                .described("exec: variables added to the environment's driver.env (STEWARD_TARGET is set by Steward)."),
        ]).described("Overrides of the environment's driver, only the fields its type allows: local root; http url, tokenFrom; exec env."),
        "suspend": JSONSchema.boolean.described("true: keep this target as it is (maintenance); it counts as not updated."),
    ], required: ["environment"])

    static let schema = SchemaParts.manifest(.target, spec: spec)
        .document(title: "Steward Target", description: "One machine or device an environment spans (steward/v1).")
}
