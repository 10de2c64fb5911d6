import Manifests

/// Builds what Git wants per environment from a validated fleet (pure).
public enum DesiredState {
    /// Desired resources keyed per (kind, name[@version], environment). `applied` carries over the
    /// commit that last changed a resource while its hash is unchanged.
    public static func build(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource] = [:]) -> [ResourceKey: DesiredResource] {
        // What each resource is made from, in order; then the documents in one call, so that a
        // cold cache encodes and hashes them on every core.
        var wanted: [(key: ResourceKey, version: String?)] = []
        var requests: [DocumentCache.Request] = []
        wanted.reserveCapacity(fleet.deployments.count * 2 + fleet.adapters.count * fleet.environments.count)
        requests.reserveCapacity(wanted.capacity)
        for (name, environment) in fleet.environments {
            for adapter in environment.spec.adapters ?? [] {
                guard let manifest = fleet.adapters[adapter] else { continue }
                wanted.append((ResourceKey(kind: .runtimeAdapter, name: adapter, environment: name), nil))
                requests.append(DocumentCache.Request(manifest, key: fleet.adapterIdentities[adapter].map { .init($0) }))
            }
        }
        for deployment in fleet.deployments.values {
            let environment = deployment.environment, ref = deployment.blueprint
            if let blueprint = fleet.blueprints[ref] {
                wanted.append((ResourceKey(kind: .agentBlueprint, name: ref.description, environment: environment), deployment.version))
                requests.append(DocumentCache.Request(blueprint, key: fleet.blueprintIdentities[ref].map { .init($0) }))
            }
            var manifest = deployment.deployment
            manifest.spec.version = deployment.version
            manifest.spec.runtimeAdapter = deployment.runtimeAdapter
            wanted.append((ResourceKey(kind: .deployment, name: deployment.name, environment: environment), deployment.version))
            requests.append(DocumentCache.Request(manifest, key: DocumentCache.Key(deployment.resource.identity, version: deployment.version,
                                                                                     runtimeAdapter: deployment.runtimeAdapter)))
        }
        // Documents come from the fleet's cache: a manifest used in several environments, or
        // unchanged since the last pass, is encoded and hashed once.
        let documents = fleet.documents.build { fleet.documents.documents(requests) }
        var desired: [ResourceKey: DesiredResource] = [:]
        desired.reserveCapacity(wanted.count)
        for ((key, version), canonical) in zip(wanted, documents) {
            guard let canonical else { continue }
            let since = applied[key].flatMap { $0.specHash == canonical.hash ? $0.commit : nil } ?? commit
            desired[key] = DesiredResource(key: key, document: canonical.document, specHash: canonical.hash, version: version, commit: since)
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
