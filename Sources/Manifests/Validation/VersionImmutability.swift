/// A registered blueprint version is immutable: its spec may not change in a later commit.
public enum VersionImmutability {
    /// Errors for every blueprint whose `name@version` is registered with a different spec hash.
    public static func check(_ resources: [Resource], registered: [BlueprintRef: String]) -> [ValidationError] {
        guard !registered.isEmpty else { return [] }
        return resources.compactMap { resource in
            guard case .agentBlueprint(let blueprint) = resource.body else { return nil }
            let ref = BlueprintRef(name: resource.name, version: blueprint.spec.version)
            guard let known = registered[ref], known != resource.specHash else { return nil }
            return resource.error("spec", "AgentBlueprint \(ref) is already registered with different content; versions are immutable, bump spec.version instead")
        }
    }
}
