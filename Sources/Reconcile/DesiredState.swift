import Manifests

/// Builds what Git wants per environment from a validated fleet (pure).
public enum DesiredState {
    /// Desired resources keyed per (kind, name[@version], environment). `applied` carries over the
    /// commit that last changed a resource while its hash is unchanged.
    public static func build(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource] = [:]) -> [ResourceKey: DesiredResource] {
        // Documents come from the fleet's cache: a manifest used in several environments, or
        // unchanged since the last pass, is encoded and hashed once. Those not cached are made
        // together at the end, on every core when there are many (a cold start).
        var wants = Wants(fleet, capacity: fleet.deployments.count * 2 + fleet.adapters.count * fleet.environments.count)
        let wanted = fleet.documents.build {
            for (name, environment) in fleet.environments {
                for adapter in environment.spec.adapters ?? [] {
                    guard let resource = fleet.adapterResources[adapter] else { continue }
                    wants.want(ResourceKey(kind: .runtimeAdapter, name: adapter, environment: name), version: nil, resource: resource)
                }
            }
            for deployment in fleet.deployments.values { wants.want(deployment) }
            return onTargets(wants.documents(), fleet)
        }
        // Each resource (and the commit it is attributed to) on every core when there are many.
        let made = ConcurrentMap.map(wanted) { key, version, canonical -> DesiredResource? in
            guard let canonical else { return nil }
            return DesiredResource(key: key, canonical: canonical, version: version,
                                   commit: since(key, hash: canonical.hash, applied: applied, commit: commit))
        }
        var desired: [ResourceKey: DesiredResource] = [:]
        desired.reserveCapacity(made.count)
        for case let resource? in made { desired[resource.key] = resource }
        return desired
    }

    /// What is wanted of environments with Targets, wanted on each of them (DESIGN §10): adapters on
    /// all, a Deployment on those it selects, a blueprint version on those its Deployments run on.
    static func onTargets(_ wanted: [(key: ResourceKey, version: String?, document: CanonicalDocument?)],
                          _ fleet: Fleet) -> [(key: ResourceKey, version: String?, document: CanonicalDocument?)] {
        guard !fleet.targetsByEnvironment.isEmpty else { return wanted }
        var deploymentTargets: [String: [String]] = [:]
        var versionTargets: [ResourceKey: Set<String>] = [:]
        for deployment in fleet.deployments.values where fleet.targetsByEnvironment[deployment.environment] != nil {
            let names = fleet.targets(of: deployment).map(\.metadata.name)
            deploymentTargets[deployment.name] = names
            versionTargets[ResourceKey(kind: .agentBlueprint, name: deployment.blueprint.description, environment: deployment.environment),
                           default: []].formUnion(names)
        }
        var expanded: [(key: ResourceKey, version: String?, document: CanonicalDocument?)] = []
        expanded.reserveCapacity(wanted.count)
        for entry in wanted {
            guard let environment = entry.key.environment, let targets = fleet.targetsByEnvironment[environment] else {
                expanded.append(entry)
                continue
            }
            let names: [String]
            switch entry.key.kind {
            case .deployment: names = deploymentTargets[entry.key.name] ?? []
            case .agentBlueprint: names = (versionTargets[entry.key] ?? []).sorted()
            default: names = targets.map(\.metadata.name)
            }
            for name in names {
                var key = entry.key
                key.target = name
                expanded.append((key, entry.version, entry.document))
            }
        }
        return expanded
    }

    /// The commit a desired resource is attributed to: the applied one while its hash is unchanged.
    static func since(_ key: ResourceKey, hash: String, applied: [ResourceKey: AppliedResource], commit: String) -> String {
        applied[key].flatMap { $0.specHash == hash ? $0.commit : nil } ?? commit
    }

    /// The documents a build wants: a manifest's own (made once per decoding, kept with its parse),
    /// or for a Deployment whose resolution changed its manifest, from the fleet's cache.
    /// Those not made yet are made together at the end, on every core when there are many.
    private struct Wants {
        let fleet: Fleet
        var wanted: [(key: ResourceKey, version: String?, document: CanonicalDocument?)] = []
        var own: [(index: Int, resource: Resource)] = []
        var missing: [(index: Int, request: DocumentCache.Request)] = []

        init(_ fleet: Fleet, capacity: Int) {
            self.fleet = fleet
            wanted.reserveCapacity(capacity)
            own.reserveCapacity(capacity)
        }

        /// `resource`'s own document.
        mutating func want(_ key: ResourceKey, version: String?, resource: Resource) {
            own.append((wanted.count, resource))
            wanted.append((key, version, nil))
        }

        /// A Deployment, and the blueprint version it runs (wanted in its environment).
        mutating func want(_ deployment: ResolvedDeployment) {
            let environment = deployment.environment, ref = deployment.blueprint
            if let blueprint = fleet.blueprintResources[ref] {
                want(ResourceKey(kind: .agentBlueprint, name: ref.description, environment: environment), version: deployment.version,
                     resource: blueprint)
            }
            let key = ResourceKey(kind: .deployment, name: deployment.name, environment: environment)
            let spec = deployment.deployment.spec
            if spec.version == deployment.version, spec.runtimeAdapter == deployment.runtimeAdapter {
                want(key, version: deployment.version, resource: deployment.resource)
            } else if let known = fleet.documents.cached(Self.documentKey(deployment)) {
                wanted.append((key, deployment.version, known))
            } else if let hash = deployment.resource.resolvedHash(Resolution(version: deployment.version, runtimeAdapter: deployment.runtimeAdapter)) {
                // Recorded by an earlier process for this content: encoded only if asked for.
                wanted.append((key, deployment.version, CanonicalDocument(hash: hash, encoding: deployment.resolvedManifest)))
            } else {
                missing.append((wanted.count, DocumentCache.Request(deployment.resolvedManifest, key: Self.documentKey(deployment))))
                wanted.append((key, deployment.version, nil))
            }
        }

        static func documentKey(_ deployment: ResolvedDeployment) -> DocumentCache.Key {
            DocumentCache.Key(deployment.resource.identity, version: deployment.version, runtimeAdapter: deployment.runtimeAdapter)
        }

        /// What was wanted, with the documents not made yet made (on every core when many).
        mutating func documents() -> [(key: ResourceKey, version: String?, document: CanonicalDocument?)] {
            for (slot, document) in zip(own, ConcurrentMap.map(own) { $0.resource.canonicalDocument }) { wanted[slot.index].document = document }
            for (slot, document) in zip(missing, fleet.documents.documents(missing.map(\.request))) { wanted[slot.index].document = document }
            own = []
            missing = []
            return wanted
        }
    }

    /// Environments, backup schedules and targets: recorded as applied with the commit, no target action.
    public static func records(_ fleet: Fleet) -> [ResourceKey: JSONValue] {
        var records: [ResourceKey: JSONValue] = [:]
        for (name, environment) in fleet.environments {
            if let document = try? CanonicalJSON.value(of: environment) { records[ResourceKey(kind: .environment, name: name)] = document }
        }
        for (name, backup) in fleet.backups {
            if let document = try? CanonicalJSON.value(of: backup) { records[ResourceKey(kind: .backupSchedule, name: name)] = document }
        }
        for (name, target) in fleet.targets {
            if let document = try? CanonicalJSON.value(of: target) { records[ResourceKey(kind: .target, name: name)] = document }
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
