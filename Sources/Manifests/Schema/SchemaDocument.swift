/// The JSON Schemas Steward publishes (`steward schema KIND`, `manifests/schema/*.schema.json`).
public enum SchemaDocument: String, CaseIterable, Sendable {
    case runtimeAdapter = "runtime-adapter"
    case agentBlueprint = "agent-blueprint"
    case environment
    case deployment
    case backupSchedule = "backup-schedule"
    case target
    /// `controller.yaml`.
    case controller
    /// Any manifest: dispatches on `kind` to the six kind schemas (for editors matching `*.yaml`).
    case manifest

    /// The schema of one manifest kind.
    public init(kind: ResourceKind) {
        switch kind {
        case .runtimeAdapter: self = .runtimeAdapter
        case .agentBlueprint: self = .agentBlueprint
        case .environment: self = .environment
        case .deployment: self = .deployment
        case .backupSchedule: self = .backupSchedule
        case .target: self = .target
        }
    }

    /// Reads a command-line name: a kind (`Deployment`, `runtimeadapter`), a file stem
    /// (`runtime-adapter`), `controller` or `manifest`; case-insensitive.
    public init?(argument: String) {
        let wanted = argument.lowercased()
        if let kind = ResourceKind.allCases.first(where: { $0.rawValue.lowercased() == wanted }) {
            self.init(kind: kind)
        } else if let document = Self.allCases.first(where: { $0.rawValue == wanted || $0.rawValue.replacingOccurrences(of: "-", with: "") == wanted }) {
            self = document
        } else {
            return nil
        }
    }

    /// The names `steward schema` accepts, for help and errors.
    public static var argumentNames: [String] { ResourceKind.allCases.map(\.rawValue) + ["controller", "manifest"] }

    /// The kind this schema describes, nil for `controller` and `manifest`.
    public var kind: ResourceKind? {
        switch self {
        case .runtimeAdapter: return .runtimeAdapter
        case .agentBlueprint: return .agentBlueprint
        case .environment: return .environment
        case .deployment: return .deployment
        case .backupSchedule: return .backupSchedule
        case .target: return .target
        case .controller, .manifest: return nil
        }
    }

    /// `manifests/schema/<fileName>`.
    public var fileName: String { "\(rawValue).schema.json" }

    public var schema: JSONSchema {
        switch self {
        case .runtimeAdapter: return RuntimeAdapterSchema.schema
        case .agentBlueprint: return AgentBlueprintSchema.schema
        case .environment: return EnvironmentSchema.schema
        case .deployment: return DeploymentSchema.schema
        case .backupSchedule: return BackupScheduleSchema.schema
        case .target: return TargetSchema.schema
        case .controller: return ControllerSchema.schema
        case .manifest: return ManifestSchema.schema
        }
    }

    /// The committed file's exact text: pretty-printed, keys sorted, trailing newline.
    public var rendered: String { schema.json.prettyJSON }
}
