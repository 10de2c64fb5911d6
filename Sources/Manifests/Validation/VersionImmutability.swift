/// A registered blueprint version is immutable: its spec may not change in a later commit.
public enum VersionImmutability {
    /// Errors for every blueprint whose `name@version` is registered with a different spec hash.
    /// The hashes of many blueprints (a cold start) are made on every core.
    public static func check(_ resources: [Resource], registered: [BlueprintRef: String]) -> [ValidationError] {
        guard !registered.isEmpty else { return [] }
        let candidates = resources.compactMap { resource -> (Resource, BlueprintRef, String)? in
            guard case .agentBlueprint(let blueprint) = resource.body else { return nil }
            let ref = BlueprintRef(name: resource.name, version: blueprint.spec.version)
            return registered[ref].map { (resource, ref, $0) }
        }
        let hashes = ConcurrentMap.map(candidates) { $0.0.specHash }
        return zip(candidates, hashes).compactMap { candidate, hash in
            let (resource, ref, known) = candidate
            guard known != hash else { return nil }
            return resource.error("spec", "AgentBlueprint \(ref) is already registered with different content; versions are immutable, bump spec.version instead")
        }
    }
}
