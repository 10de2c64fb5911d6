/// Pieces shared by the kind schemas: names, versions, cron, secret references, the envelope.
enum SchemaParts {
    /// A DNS label, as `NameRules` checks it.
    static let namePattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

    /// Semantic versioning 2.0.0 (semver.org's expression, ASCII digits only).
    static let semverPattern = "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
        + "(-(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*)?"
        + "(\\+[0-9a-zA-Z-]+(\\.[0-9a-zA-Z-]+)*)?$"

    /// Five whitespace-separated cron fields (their ranges are checked by `steward validate`).
    static let cronPattern = "^\\s*\\S+(\\s+\\S+){4}\\s*$"

    /// `30s`, `5m`, `1h30m`, `500ms`, `2d`, or plain seconds.
    static let durationPattern = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$|^[0-9]+(\\.[0-9]+)?$"

    /// A resource name, or a reference to one.
    static func name(_ description: String) -> JSONSchema {
        JSONSchema.string(pattern: namePattern, maxLength: NameRules.maxLength).described(description)
    }

    static func semver(_ description: String) -> JSONSchema {
        JSONSchema.string(pattern: semverPattern).described(description)
    }

    static func cron(_ description: String) -> JSONSchema {
        JSONSchema.string(pattern: cronPattern).described(description)
    }

    /// Capability names (compared after normalising to kebab-case).
    static func capabilityNames(_ description: String) -> JSONSchema {
        JSONSchema.array(.string(minLength: 1)).described(description)
    }

    /// A list that names a program and its arguments (no shell).
    static func command(_ description: String) -> JSONSchema {
        JSONSchema.array(.string(minLength: 1), minItems: 1).described(description)
    }

    /// `{env: NAME}` or `{file: PATH}`: exactly one; never the secret itself.
    static func secretRef(_ description: String) -> JSONSchema {
        JSONSchema.exactlyOne([
            .object(["env": JSONSchema.string(minLength: 1).described("The name of an environment variable holding the secret.")],
                    required: ["env"]),
            .object(["file": JSONSchema.string(minLength: 1).described("A file holding the secret (relative to controller.yaml).")],
                    required: ["file"]),
        ]).described(description + " A reference: {env: NAME} or {file: PATH}.")
    }

    static let metadata = JSONSchema.object([
        "name": name("DNS-label style: lowercase letters, digits and '-', at most 63 characters; unique per kind."),
        "labels": JSONSchema.map(of: .string()).described("Free string labels, e.g. {team: edge}."),
        "annotations": JSONSchema.map(of: .string()).described("Free string annotations."),
    ], required: ["name"])

    /// The envelope every manifest shares: `apiVersion`, `kind`, `metadata`, `spec`.
    static func manifest(_ kind: ResourceKind, spec: JSONSchema) -> JSONSchema {
        JSONSchema.object([
            "apiVersion": JSONSchema.constant(stewardAPIVersion).described("Always \(stewardAPIVersion)."),
            "kind": JSONSchema.constant(kind.rawValue),
            "metadata": metadata,
            "spec": spec,
        ], required: ["apiVersion", "kind", "metadata", "spec"])
    }
}
