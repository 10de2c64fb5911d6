/// The six manifest kinds (DESIGN §2).
public enum ResourceKind: String, Codable, Sendable, Hashable, CaseIterable, Comparable, ManifestEnum {
    case runtimeAdapter = "RuntimeAdapter"
    case agentBlueprint = "AgentBlueprint"
    case environment = "Environment"
    case deployment = "Deployment"
    case backupSchedule = "BackupSchedule"
    case target = "Target"

    /// Apply order: adapters before versions before deployments.
    public var order: Int {
        switch self {
        case .runtimeAdapter: return 0
        case .agentBlueprint: return 1
        case .environment: return 2
        case .target: return 3
        case .deployment: return 4
        case .backupSchedule: return 5
        }
    }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.order < rhs.order }
}

/// The only `apiVersion` this release reads.
public let stewardAPIVersion = "steward/v1"

/// `metadata` of every manifest.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(name: String, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
    }
}

/// One manifest document: `apiVersion`, `kind`, `metadata`, `spec`.
public struct Manifest<Spec: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: ResourceKind
    public var metadata: ObjectMeta
    public var spec: Spec

    public init(kind: ResourceKind, metadata: ObjectMeta, spec: Spec) {
        self.apiVersion = stewardAPIVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }

    // Written out to use `ManifestField`: the keys the compiler would nest in this generic type
    // have their type metadata looked up at run time on every decode and encode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ManifestField.self)
        apiVersion = try container.decode(String.self, forKey: .apiVersion)
        kind = try container.decode(ResourceKind.self, forKey: .kind)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        spec = try container.decode(Spec.self, forKey: .spec)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ManifestField.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(spec, forKey: .spec)
    }
}

/// The fields of every manifest.
enum ManifestField: String, CodingKey {
    case apiVersion, kind, metadata, spec
}

/// A reference to a secret: exactly one of `{env: NAME}` or `{file: PATH}`. Never holds the value.
public struct SecretRef: Codable, Sendable, Hashable, CustomStringConvertible {
    public var env: String?
    public var file: String?

    public init(env: String? = nil, file: String? = nil) {
        self.env = env
        self.file = file
    }

    public var description: String {
        if let env { return "{env: \(env)}" }
        if let file { return "{file: \(file)}" }
        return "{}"
    }
}

/// The runtime platforms an adapter can drive.
public enum RuntimeType: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
    case robotics, mobile, desktop
    case smartGlasses = "smart-glasses"
    case cloud
}
