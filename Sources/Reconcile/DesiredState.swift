import Manifests

/// Builds what Git wants per environment from a validated fleet (pure).
public enum DesiredState {
    /// Desired resources keyed per (kind, name[@version], environment). `applied` carries over the
    /// commit that last changed a resource while its hash is unchanged.
    public static func build(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource] = [:]) -> [ResourceKey: DesiredResource] {
        // Documents come from the fleet's cache: a manifest used in several environments, or
        // unchanged since the last pass, is encoded and hashed once. Those not cached are made
        // together at the end, on every core when there are many (a cold start).
        let documents = fleet.documents
        var wanted: [(key: ResourceKey, version: String?, document: CanonicalDocument?)] = []
        var missing: [(index: Int, request: DocumentCache.Request)] = []
        wanted.reserveCapacity(fleet.deployments.count * 2 + fleet.adapters.count * fleet.environments.count)
        func want(_ key: ResourceKey, version: String?, from source: DocumentCache.Key?, _ manifest: @autoclosure () -> any Encodable & Sendable) {
            if let source, let known = documents.cached(source) {
                wanted.append((key, version, known))
            } else {
                missing.append((wanted.count, DocumentCache.Request(manifest(), key: source)))
                wanted.append((key, version, nil))
            }
        }
        documents.build {
            for (name, environment) in fleet.environments {
                for adapter in environment.spec.adapters ?? [] {
                    guard let manifest = fleet.adapters[adapter] else { continue }
                    want(ResourceKey(kind: .runtimeAdapter, name: adapter, environment: name), version: nil,
                         from: fleet.adapterIdentities[adapter].map { .init($0) }, manifest)
                }
            }
            for deployment in fleet.deployments.values {
                let environment = deployment.environment, ref = deployment.blueprint
                if let blueprint = fleet.blueprints[ref] {
                    want(ResourceKey(kind: .agentBlueprint, name: ref.description, environment: environment), version: deployment.version,
                         from: fleet.blueprintIdentities[ref].map { .init($0) }, blueprint)
                }
                want(ResourceKey(kind: .deployment, name: deployment.name, environment: environment), version: deployment.version,
                     from: DocumentCache.Key(deployment.resource.identity, version: deployment.version, runtimeAdapter: deployment.runtimeAdapter),
                     deployment.resolvedManifest)
            }
            for (slot, document) in zip(missing, documents.documents(missing.map(\.request))) { wanted[slot.index].document = document }
        }
        var desired: [ResourceKey: DesiredResource] = [:]
        desired.reserveCapacity(wanted.count)
        for (key, version, canonical) in wanted {
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

extension ResolvedDeployment {
    /// The deployment's manifest with the version and adapter it resolved to (what gets applied).
    var resolvedManifest: Deployment {
        var manifest = deployment
        manifest.spec.version = version
        manifest.spec.runtimeAdapter = runtimeAdapter
        return manifest
    }
}
