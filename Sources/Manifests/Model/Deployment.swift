/// `kind: Deployment` — which blueprint version runs in which environment.
public typealias Deployment = Manifest<DeploymentSpec>

public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var blueprint: String
    /// Optional: defaults to the highest released version of the blueprint in the repository.
    public var version: String?
    public var environment: String
    /// Optional: defaults to the environment's only adapter that satisfies the blueprint.
    public var runtimeAdapter: String?
    public var suspend: Bool?
    /// The environment's targets this Deployment runs on (default: all of them, DESIGN §10).
    public var targetSelector: TargetSelector?
    /// Overrides the environment's rollout strategy for this Deployment.
    public var strategy: Strategy?

    public init(blueprint: String, version: String? = nil, environment: String,
                runtimeAdapter: String? = nil, suspend: Bool? = nil, targetSelector: TargetSelector? = nil, strategy: Strategy? = nil) {
        self.targetSelector = targetSelector
        self.strategy = strategy
        self.blueprint = blueprint
        self.version = version
        self.environment = environment
        self.runtimeAdapter = runtimeAdapter
        self.suspend = suspend
    }
}
