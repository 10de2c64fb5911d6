/// `kind: AgentBlueprint` — one immutable version of an agent.
public typealias AgentBlueprint = Manifest<AgentBlueprintSpec>

public struct AgentBlueprintSpec: Codable, Sendable, Hashable {
    public var version: String
    public var displayName: String?
    public var goal: String?
    public var deploymentTarget: RuntimeType
    public var requiredCapabilities: [String]?
    public var toolAdapters: [ToolAdapter]?
    public var config: JSONValue?
    public var policies: [Policy]?

    public init(version: String, displayName: String? = nil, goal: String? = nil, deploymentTarget: RuntimeType,
                requiredCapabilities: [String]? = nil, toolAdapters: [ToolAdapter]? = nil,
                config: JSONValue? = nil, policies: [Policy]? = nil) {
        self.version = version
        self.displayName = displayName
        self.goal = goal
        self.deploymentTarget = deploymentTarget
        self.requiredCapabilities = requiredCapabilities
        self.toolAdapters = toolAdapters
        self.config = config
        self.policies = policies
    }

    /// Capabilities needed by the blueprint and its enabled tool adapters, normalised.
    public var allRequiredCapabilities: Set<String> {
        var names = Set((requiredCapabilities ?? []).map(CapabilityName.normalize))
        for tool in toolAdapters ?? [] where tool.enabled ?? true {
            names.formUnion((tool.requiredCapabilities ?? []).map(CapabilityName.normalize))
        }
        return names
    }

    /// Whether `provided` (normalised names) holds every capability in `allRequiredCapabilities`,
    /// checked name by name without building the set.
    public func requiresOnly(_ provided: Set<String>) -> Bool {
        for name in requiredCapabilities ?? [] where !provided.contains(CapabilityName.normalize(name)) { return false }
        for tool in toolAdapters ?? [] where tool.enabled ?? true {
            for name in tool.requiredCapabilities ?? [] where !provided.contains(CapabilityName.normalize(name)) { return false }
        }
        return true
    }
}

/// A tool adapter an agent uses.
public struct ToolAdapter: Codable, Sendable, Hashable {
    public var adapterId: String
    public var adapterType: String
    /// Its name for people (the Aureus guide's `"name": "ROS2 Perception Adapter"`).
    public var name: String?
    public var enabled: Bool?
    public var requiredCapabilities: [String]?
    public var config: JSONValue?
}

/// A policy attached to an agent.
public struct Policy: Codable, Sendable, Hashable {
    public var policyId: String
    /// Its name for people (the Aureus guide's `"name": "Robot Safety Policy"`).
    public var name: String?
    public var enabled: Bool?
    public var rules: [PolicyRule]?
}

/// One rule of a policy.
public struct PolicyRule: Codable, Sendable, Hashable {
    public var type: String
    public var parameters: JSONValue?
}
