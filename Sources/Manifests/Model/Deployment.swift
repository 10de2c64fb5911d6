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

    public init(blueprint: String, version: String? = nil, environment: String,
                runtimeAdapter: String? = nil, suspend: Bool? = nil) {
        self.blueprint = blueprint
        self.version = version
        self.environment = environment
        self.runtimeAdapter = runtimeAdapter
        self.suspend = suspend
    }
}
