import Manifests

/// Builds what Git wants per environment from a validated fleet (pure).
public enum DesiredState {
    /// Desired resources keyed per (kind, name[@version], environment). `applied` carries over the
    /// commit that last changed a resource while its hash is unchanged.
    public static func build(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource] = [:]) -> [ResourceKey: DesiredResource] {
        var desired: [ResourceKey: DesiredResource] = [:]
        func add(_ key: ResourceKey, _ document: JSONValue, version: String?) {
            let hash = ContentHash.sha256Hex(document.canonicalBytes)
            let since = applied[key].flatMap { $0.specHash == hash ? $0.commit : nil } ?? commit
            desired[key] = DesiredResource(key: key, document: document, specHash: hash, version: version, commit: since)
        }
        for (name, environment) in fleet.environments {
            for adapter in environment.spec.adapters ?? [] {
                guard let manifest = fleet.adapters[adapter], let document = try? CanonicalJSON.value(of: manifest) else { continue }
                add(ResourceKey(kind: .runtimeAdapter, name: adapter, environment: name), document, version: nil)
            }
        }
        for deployment in fleet.deployments.values {
            let environment = deployment.environment
            if let blueprint = fleet.blueprints[deployment.blueprint], let document = try? CanonicalJSON.value(of: blueprint) {
                add(ResourceKey(kind: .agentBlueprint, name: deployment.blueprint.description, environment: environment), document,
                    version: deployment.version)
            }
            var manifest = deployment.deployment
            manifest.spec.version = deployment.version
            manifest.spec.runtimeAdapter = deployment.runtimeAdapter
            if let document = try? CanonicalJSON.value(of: manifest) {
                add(ResourceKey(kind: .deployment, name: deployment.name, environment: environment), document, version: deployment.version)
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
