/// One schema for any manifest document: `kind` picks which kind schema applies.
enum ManifestSchema {
    static let schema: JSONSchema = {
        var schema = JSONSchema(.object([
            "type": .string("object"),
            "required": .array(["apiVersion", "kind", "metadata", "spec"].map(JSONValue.string)),
            "properties": .object([
                "kind": JSONSchema.oneOf(ResourceKind.self).described("The manifest kind.").json,
            ]),
        ]))
        for kind in ResourceKind.allCases {
            // Each kind's schema, embedded without its own document header.
            var body = SchemaDocument(kind: kind).schema.json.object ?? [:]
            for key in ["$schema", "title"] { body[key] = nil }
            schema = schema.when("kind", is: kind.rawValue, then: JSONSchema(.object(body)))
        }
        return schema.document(title: "Steward manifest",
                               description: "Any steward/v1 manifest: RuntimeAdapter, AgentBlueprint, Environment, Deployment, BackupSchedule or Target.")
    }()
}
