import Manifests

/// What Steward applies and tracks: (kind, name[@version], environment, target) — DESIGN §2, §10.
public struct ResourceKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: ResourceKind
    /// The bare name, or `name@version` for a blueprint version.
    public var name: String
    /// The environment it is applied in; nil for resources that are not per environment.
    public var environment: String?
    /// The Target it is applied to; nil for an environment's one implicit target (one without Targets).
    public var target: String?

    public init(kind: ResourceKind, name: String, environment: String? = nil, target: String? = nil) {
        self.kind = kind
        self.name = name
        self.environment = environment
        self.target = target
    }

    /// `Kind/name`, as events and errors name resources.
    public var resource: String { "\(kind.rawValue)/\(name)" }

    /// The blueprint version a blueprint key (`name@version`) names; nil for other kinds.
    public var blueprintRef: BlueprintRef? {
        guard kind == .agentBlueprint, let at = name.firstIndex(of: "@") else { return nil }
        return BlueprintRef(name: String(name[..<at]), version: String(name[name.index(after: at)...]))
    }

    /// Where it is applied: the environment, or `environment/target` (drivers are made per placement).
    public var placement: String {
        guard let target else { return environment ?? "" }
        return "\(environment ?? "")/\(target)"
    }

    /// The same resource on the environment's implicit target (what proofs and holds are kept for).
    public var withoutTarget: ResourceKey {
        guard target != nil else { return self }
        return ResourceKey(kind: kind, name: name, environment: environment)
    }

    public var description: String {
        guard let environment else { return resource }
        return target.map { "\(resource) in \(environment) on \($0)" } ?? "\(resource) in \(environment)"
    }

    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool {
        (lhs.kind.order, lhs.environment ?? "", lhs.name, lhs.target ?? "") < (rhs.kind.order, rhs.environment ?? "", rhs.name, rhs.target ?? "")
    }
}
