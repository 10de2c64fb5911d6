import Manifests

/// What Steward applies and tracks: (kind, name[@version], environment) — DESIGN §2.
public struct ResourceKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: ResourceKind
    /// The bare name, or `name@version` for a blueprint version.
    public var name: String
    /// The environment it is applied in; nil for resources that are not per environment.
    public var environment: String?

    public init(kind: ResourceKind, name: String, environment: String? = nil) {
        self.kind = kind
        self.name = name
        self.environment = environment
    }

    /// `Kind/name`, as events and errors name resources.
    public var resource: String { "\(kind.rawValue)/\(name)" }

    /// The blueprint version a blueprint key (`name@version`) names; nil for other kinds.
    public var blueprintRef: BlueprintRef? {
        guard kind == .agentBlueprint, let at = name.firstIndex(of: "@") else { return nil }
        return BlueprintRef(name: String(name[..<at]), version: String(name[name.index(after: at)...]))
    }

    public var description: String { environment.map { "\(resource) in \($0)" } ?? resource }

    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool {
        (lhs.kind.order, lhs.environment ?? "", lhs.name) < (rhs.kind.order, rhs.environment ?? "", rhs.name)
    }
}
