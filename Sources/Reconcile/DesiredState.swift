import Manifests

/// Builds what Git wants per environment from a validated fleet (pure).
public enum DesiredState {
    /// Desired resources keyed per (kind, name[@version], environment). `applied` carries over the
    /// commit that last changed a resource while its hash is unchanged.
    public static func build(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource] = [:]) -> [ResourceKey: DesiredResource] {
        var desired: [ResourceKey: DesiredResource] = [:]
        desired.reserveCapacity(fleet.deployments.count * 2 + fleet.adapters.count * fleet.environments.count)
        func add(_ key: ResourceKey, _ canonical: CanonicalDocument, version: String?) {
            let since = applied[key].flatMap { $0.specHash == canonical.hash ? $0.commit : nil } ?? commit
            desired[key] = DesiredResource(key: key, document: canonical.document, specHash: canonical.hash, version: version, commit: since)
        }
        // Documents come from the fleet's cache: a manifest used in several environments, or
        // unchanged since the last pass, is encoded and hashed once.
        let documents = fleet.documents
        documents.build {
            for (name, environment) in fleet.environments {
                for adapter in environment.spec.adapters ?? [] {
                    guard let manifest = fleet.adapters[adapter],
                          let canonical = documents.document(manifest, key: fleet.adapterIdentities[adapter].map { .init($0) }) else { continue }
                    add(ResourceKey(kind: .runtimeAdapter, name: adapter, environment: name), canonical, version: nil)
                }
            }
            for deployment in fleet.deployments.values {
                let environment = deployment.environment, ref = deployment.blueprint
                if let blueprint = fleet.blueprints[ref],
                   let canonical = documents.document(blueprint, key: fleet.blueprintIdentities[ref].map { .init($0) }) {
                    add(ResourceKey(kind: .agentBlueprint, name: ref.description, environment: environment), canonical, version: deployment.version)
                }
                var manifest = deployment.deployment
                manifest.spec.version = deployment.version
                manifest.spec.runtimeAdapter = deployment.runtimeAdapter
                let key = DocumentCache.Key(deployment.resource.identity, version: deployment.version, runtimeAdapter: deployment.runtimeAdapter)
                if let canonical = documents.document(manifest, key: key) {
                    add(ResourceKey(kind: .deployment, name: deployment.name, environment: environment), canonical, version: deployment.version)
                }
            }
        }
        return desired
    }

    /// Environments and backup schedules: recorded as applied with the commit, no target action.
    public static func records(_ fleet: Fleet) -> [ResourceKey: JSONValue] {
        var records: [ResourceKey: JSONValue] = [:]
        for (name, environment) in fleet.environments {
            if let document = try? CanonicalJSON.value(of: environment) { records[ResourceKey(kind: .environment, name: name)] = document }
        }
        for (name, backup) in fleet.backups {
            if let document = try? CanonicalJSON.value(of: backup) { records[ResourceKey(kind: .backupSchedule, name: name)] = document }
        }
        return records
    }
}
