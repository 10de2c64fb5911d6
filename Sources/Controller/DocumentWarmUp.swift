import Dispatch
import Manifests

/// Makes, on a thread of its own, the canonical documents a pass over a large fleet is about to
/// want — registered blueprint versions (the immutability check), adapters, and Deployments that
/// name their version and adapter (the desired state) — while the checks across resources run,
/// mostly serially, on the caller's. Documents are memoised with their resources (under a lock),
/// so each is made once, by whoever asks first; nothing waits for this thread.
enum DocumentWarmUp {
    /// Below this many resources the checks are too short to overlap with.
    static let minimumResources = 512

    static func start(_ resources: [Resource], registered: [BlueprintRef: String], minimum: Int = minimumResources) {
        guard resources.count >= minimum else { return }
        DispatchQueue.global().async { make(resources, registered: registered) }
    }

    /// The documents, in the order the pass asks for them.
    static func make(_ resources: [Resource], registered: [BlueprintRef: String]) {
        for resource in resources {
            guard case .agentBlueprint(let blueprint) = resource.body,
                  registered[BlueprintRef(name: resource.name, version: blueprint.spec.version)] != nil else { continue }
            _ = resource.specHash
        }
        for resource in resources {
            switch resource.body {
            case .runtimeAdapter: _ = resource.canonicalDocument
            case .deployment(let deployment) where deployment.spec.version != nil && deployment.spec.runtimeAdapter != nil:
                _ = resource.canonicalDocument
            default: continue
            }
        }
    }
}
