/// A blueprint version: `name@version`.
public struct BlueprintRef: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    public var description: String { "\(name)@\(version)" }

    public static func < (lhs: BlueprintRef, rhs: BlueprintRef) -> Bool {
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        switch (SemanticVersion(lhs.version), SemanticVersion(rhs.version)) {
        case let (a?, b?): return a < b
        default: return lhs.version < rhs.version
        }
    }
}

/// A Deployment with its defaults filled in: the version and the adapter it runs on.
public struct ResolvedDeployment: Sendable, Hashable {
    public let resource: Resource
    public let deployment: Deployment
    public let version: String
    public let runtimeAdapter: String

    public var name: String { deployment.metadata.name }
    public var environment: String { deployment.spec.environment }
    public var blueprint: BlueprintRef { BlueprintRef(name: deployment.spec.blueprint, version: version) }
}

/// The desired state of one commit after validation: every reference resolved.
public struct Fleet: Sendable {
    public var resources: [Resource] = []
    public var adapters: [String: RuntimeAdapter] = [:]
    public var blueprints: [BlueprintRef: AgentBlueprint] = [:]
    public var environments: [String: Environment] = [:]
    public var deployments: [String: ResolvedDeployment] = [:]
    public var backups: [String: BackupSchedule] = [:]
    /// Targets by name, and each environment's targets sorted by name (DESIGN §10): an environment
    /// without any has one implicit target named after it.
    public var targets: [String: Target] = [:]
    public var targetsByEnvironment: [String: [Target]] = [:]
    /// Canonical documents of resolved Deployments, memoised between passes (see `DocumentCache`).
    public var documents = DocumentCache()
    /// The resource each adapter and blueprint version was decoded as (their canonical documents).
    public var adapterResources: [String: Resource] = [:]
    public var blueprintResources: [BlueprintRef: Resource] = [:]

    public init() {}

    /// The targets a Deployment runs on, by name; empty when its environment has no Targets.
    public func targets(of deployment: ResolvedDeployment) -> [Target] {
        guard let all = targetsByEnvironment[deployment.environment] else { return [] }
        guard let selector = deployment.deployment.spec.targetSelector else { return all }
        return all.filter { selector.matches($0.metadata.labels) }
    }

    /// The strategy a Deployment rolls out with: its own, else its environment's.
    public func strategy(of deployment: ResolvedDeployment) -> Strategy? {
        deployment.deployment.spec.strategy ?? environments[deployment.environment]?.spec.strategy
    }

    /// The versions of a blueprint in the repository, highest first.
    public func versions(of blueprint: String) -> [String] {
        blueprints.keys.filter { $0.name == blueprint }.sorted().reversed().map(\.version)
    }
}

/// The outcome of validating a set of manifests.
public struct ValidationReport: Sendable {
    public var fleet: Fleet
    public var errors: [ValidationError]
    /// Entries skipped in the source (symlinks, submodules), reported but not errors.
    public var warnings: [String] = []

    public var isValid: Bool { errors.isEmpty }

    public init(fleet: Fleet, errors: [ValidationError], warnings: [String] = []) {
        self.fleet = fleet
        self.errors = errors
        self.warnings = warnings
    }
}
