/// The rules between resources (DESIGN §2): unique names, references, capabilities, promotion cycles.
struct CrossResourceRules {
    private(set) var fleet = Fleet()
    private(set) var errors: [ValidationError] = []
    private var environmentResources: [String: Resource] = [:]
    private var targetResources: [String: Resource] = [:]
    /// Versions per blueprint name, highest first.
    private var versionIndex: [String: [String]] = [:]
    /// Normalised capabilities each adapter provides, and the adapters each environment lists.
    private var provided: [String: Set<String>] = [:]
    private var listed: [String: Set<String>] = [:]

    init(_ resources: [Resource]) {
        fleet.resources = resources
        collect(resources)
        indexVersions(of: nil)
        checkEnvironments()
        checkTargets()
        indexAdapters()
        // Each Deployment resolves against the indexes alone: on every core when there are many,
        // the outcomes then taken in file order.
        let deployments = resources.compactMap { resource -> (Deployment, Resource)? in
            if case .deployment(let deployment) = resource.body { return (deployment, resource) }
            return nil
        }
        let rules = self
        let outcomes = ConcurrentMap.map(deployments) { rules.resolution($0.0, $0.1) }
        for ((_, resource), outcome) in zip(deployments, outcomes) { take(outcome, of: resource) }
    }

    /// The rules for Deployments added to `fleet`, whose other resources were checked with it:
    /// `resolve(adding:)` checks one, against the blueprints named in `blueprints`.
    init(deploymentsOf fleet: consuming Fleet, blueprints: Set<String>) {
        self.fleet = fleet
        indexVersions(of: blueprints)
        indexAdapters()
    }

    /// Resolves a Deployment into the fleet; false (with an error) when it does not resolve or
    /// its name is already taken.
    mutating func resolve(adding resource: Resource) -> Bool {
        guard case .deployment(let deployment) = resource.body, fleet.deployments[resource.name] == nil else { return false }
        let before = errors.count
        resolve(deployment, resource)
        return errors.count == before && fleet.deployments[resource.name] != nil
    }

    mutating func removeDeployment(named name: String) -> ResolvedDeployment? {
        fleet.deployments.removeValue(forKey: name)
    }

    mutating func replaceResources(_ resources: [Resource]) { fleet.resources = resources }

    /// Versions per blueprint name, highest first: of every blueprint, or of those in `names`.
    private mutating func indexVersions(of names: Set<String>?) {
        for ref in fleet.blueprints.keys where names?.contains(ref.name) ?? true { versionIndex[ref.name, default: []].append(ref.version) }
        for (name, versions) in versionIndex where versions.count > 1 {
            versionIndex[name] = versions.map { BlueprintRef(name: name, version: $0) }.sorted().reversed().map(\.version)
        }
    }

    private mutating func indexAdapters() {
        provided = fleet.adapters.mapValues(\.spec.providedCapabilities)
        listed = fleet.environments.mapValues { Set($0.spec.adapters ?? []) }
    }

    private mutating func collect(_ resources: [Resource]) {
        var seen: [String: Int] = [:]   // id → index of the first resource with it
        seen.reserveCapacity(resources.count)
        fleet.blueprints.reserveCapacity(resources.count / 2)
        fleet.blueprintResources.reserveCapacity(resources.count / 2)
        fleet.deployments.reserveCapacity(resources.count / 2)
        for (index, resource) in resources.enumerated() {
            let id = resource.id   // made once: it is built from the kind, name and version
            if let firstIndex = seen.updateValue(index, forKey: id) {
                seen[id] = firstIndex
                let first = resources[firstIndex]
                errors.append(resource.error("metadata.name", "duplicate \(id): already defined at \(first.file):\(first.position(of: "metadata.name").line):\(first.position(of: "metadata.name").column)"))
                continue
            }
            switch resource.body {
            case .runtimeAdapter(let adapter):
                fleet.adapters[resource.name] = adapter
                fleet.adapterResources[resource.name] = resource
            case .agentBlueprint(let blueprint):
                let ref = BlueprintRef(name: resource.name, version: blueprint.spec.version)
                fleet.blueprints[ref] = blueprint
                fleet.blueprintResources[ref] = resource
            case .environment(let environment):
                fleet.environments[resource.name] = environment
                environmentResources[resource.name] = resource
            case .backupSchedule(let backup):
                fleet.backups[resource.name] = backup
            case .target(let target):
                fleet.targets[resource.name] = target
                targetResources[resource.name] = resource
            case .deployment:
                break
            }
        }
    }

    private mutating func checkEnvironments() {
        for name in fleet.environments.keys.sorted() {
            let environment = fleet.environments[name]!, resource = environmentResources[name]!
            for (index, adapter) in (environment.spec.adapters ?? []).enumerated() where fleet.adapters[adapter] == nil {
                errors.append(resource.error("spec.adapters[\(index)]", "RuntimeAdapter '\(adapter)' not found\(suggest(adapter, fleet.adapters.keys))"))
            }
            for (index, schedule) in (environment.spec.gates?.backupBefore ?? []).enumerated() {
                let field = "spec.gates.backupBefore[\(index)]"
                if let backup = fleet.backups[schedule] {
                    if backup.spec.verify != true {
                        errors.append(resource.error(field, "BackupSchedule '\(schedule)' is not verified: backupBefore takes only verified backups (set verify: true)"))
                    }
                    if environment.spec.autoRollback?.restoreBackup == true, (backup.spec.restore ?? []).isEmpty {
                        errors.append(resource.error(field, "BackupSchedule '\(schedule)' has no spec.restore, which autoRollback.restoreBackup runs"))
                    }
                } else {
                    errors.append(resource.error(field, "BackupSchedule '\(schedule)' not found\(suggest(schedule, fleet.backups.keys))"))
                }
            }
            guard let from = environment.spec.promotesFrom, from != name else { continue }
            guard fleet.environments[from] != nil else {
                errors.append(resource.error("spec.promotesFrom", "Environment '\(from)' not found\(suggest(from, fleet.environments.keys))"))
                continue
            }
            var chain = [name], current = from
            while let next = fleet.environments[current] {
                if let start = chain.firstIndex(of: current) {
                    if start == 0 {
                        errors.append(resource.error("spec.promotesFrom", "promotesFrom forms a cycle: \((chain + [current]).joined(separator: " → "))"))
                    }
                    break
                }
                chain.append(current)
                guard let step = next.spec.promotesFrom else { break }
                current = step
            }
        }
    }

    /// Each Target's environment exists and its driver overrides fit that environment's driver type (DESIGN §10).
    private mutating func checkTargets() {
        var placesTaken: [String: String] = [:]
        for name in fleet.targets.keys.sorted() {
            let target = fleet.targets[name]!, resource = targetResources[name]!
            guard let environment = fleet.environments[target.spec.environment] else {
                errors.append(resource.error("spec.environment", "Environment '\(target.spec.environment)' not found\(suggest(target.spec.environment, fleet.environments.keys))"))
                continue
            }
            let type = environment.spec.driver.type, allowed = TargetDriver.allowed(for: type)
            for field in target.spec.driver?.fieldsSet ?? [] where !allowed.contains(field) {
                errors.append(resource.error("spec.driver.\(field)", "a Target of a \(type.rawValue) environment may override only \(allowed.joined(separator: ", ")), not \(field)"))
            }
            // Each target is its own place: a folder of its own (local), a console of its own (http).
            let own: (field: String, value: String?)? = type == .local ? ("root", target.spec.driver?.root) : type == .http ? ("url", target.spec.driver?.url) : nil
            if let own {
                if let value = own.value {
                    let key = "\(target.spec.environment)\u{0}\(value)"
                    if let first = placesTaken.updateValue(name, forKey: key) {
                        errors.append(resource.error("spec.driver.\(own.field)", "Target '\(first)' of Environment '\(target.spec.environment)' already has \(own.field) \(value)"))
                    }
                } else {
                    errors.append(resource.error("spec.driver", "a Target of a \(type.rawValue) environment needs its own spec.driver.\(own.field)"))
                }
            }
            fleet.targetsByEnvironment[target.spec.environment, default: []].append(target)
        }
    }

    /// What a Deployment resolves to, or the errors that stop it.
    private struct Resolution: Sendable {
        var resolved: ResolvedDeployment?
        var errors: [ValidationError] = []
    }

    private mutating func resolve(_ deployment: Deployment, _ resource: Resource) {
        take(resolution(deployment, resource), of: resource)
    }

    private mutating func take(_ outcome: Resolution, of resource: Resource) {
        errors += outcome.errors
        if let resolved = outcome.resolved { fleet.deployments[resource.name] = resolved }
    }

    private func resolution(_ deployment: Deployment, _ resource: Resource) -> Resolution {
        let spec = deployment.spec
        var outcome = Resolution()
        let environment = fleet.environments[spec.environment]
        if environment == nil {
            outcome.errors.append(resource.error("spec.environment", "Environment '\(spec.environment)' not found\(suggest(spec.environment, fleet.environments.keys))"))
        }
        let versions = versionIndex[spec.blueprint] ?? []
        var version = spec.version
        if versions.isEmpty {
            let names = Set(fleet.blueprints.keys.map(\.name))
            outcome.errors.append(resource.error("spec.blueprint", "AgentBlueprint '\(spec.blueprint)' not found\(suggest(spec.blueprint, names))"))
            return outcome
        } else if let wanted = version, !versions.contains(wanted) {
            outcome.errors.append(resource.error("spec.version", "AgentBlueprint '\(spec.blueprint)' has no version \(wanted) (available: \(versions.joined(separator: ", ")))"))
            return outcome
        } else if version == nil {
            version = versions.first { SemanticVersion($0).map { !$0.isPreRelease } ?? false }
            if version == nil {
                outcome.errors.append(resource.error("spec.blueprint", "AgentBlueprint '\(spec.blueprint)' has only pre-release versions (\(versions.joined(separator: ", "))); set spec.version"))
                return outcome
            }
        }
        guard let environment, let version, let blueprint = fleet.blueprints[BlueprintRef(name: spec.blueprint, version: version)] else { return outcome }
        let adapter: String?
        if let named = spec.runtimeAdapter {
            let problem = mismatch(named, blueprint, environment)
            if let problem { outcome.errors.append(resource.error("spec.runtimeAdapter", problem)) }
            adapter = problem == nil ? named : nil
        } else {
            adapter = chooseAdapter(blueprint, environment, resource, errors: &outcome.errors)
        }
        guard let adapter else { return outcome }
        if let problem = targetProblem(spec, environment) {
            outcome.errors.append(resource.error(problem.field, problem.message))
            return outcome
        }
        outcome.resolved = ResolvedDeployment(resource: resource, deployment: deployment, version: version, runtimeAdapter: adapter)
        return outcome
    }

    /// Why a Deployment's targets or strategy do not fit its environment's Targets, or nil.
    private func targetProblem(_ spec: DeploymentSpec, _ environment: Environment) -> (field: String, message: String)? {
        let targets = fleet.targetsByEnvironment[spec.environment] ?? []
        if let selector = spec.targetSelector {
            guard !targets.isEmpty else {
                return ("spec.targetSelector", "Environment '\(spec.environment)' has no Targets to select from")
            }
            if !targets.contains(where: { selector.matches($0.metadata.labels) }) {
                return ("spec.targetSelector", "selects none of Environment '\(spec.environment)''s \(targets.count) Targets")
            }
        }
        // Blue-green across Targets: two slots of targets, each target in one (DESIGN §10).
        if !targets.isEmpty, (spec.strategy ?? environment.spec.strategy)?.type == .blueGreen {
            let field = spec.strategy == nil ? "spec.environment" : "spec.strategy.type"
            let selected = targets.filter { spec.targetSelector?.matches($0.metadata.labels) ?? true }
            let unslotted = selected.filter { $0.metadata.labels?["slot"] == nil }.map(\.metadata.name).sorted()
            if !unslotted.isEmpty {
                return (field, "a blue-green rollout puts each Target in a slot: \(unslotted.prefix(3).joined(separator: ", "))\(unslotted.count > 3 ? " and \(unslotted.count - 3) more" : "") \(unslotted.count == 1 ? "has" : "have") no metadata.labels.slot (blue or green)")
            }
            for slot in ["blue", "green"] where !selected.contains(where: { $0.metadata.labels?["slot"] == slot }) {
                return (field, "a blue-green rollout needs Targets in both slots; none of the \(selected.count) selected has labels.slot: \(slot)")
            }
        }
        return nil
    }

    /// Why `adapter` cannot run `blueprint` in `environment`, or nil when it can.
    private func mismatch(_ name: String, _ blueprint: AgentBlueprint, _ environment: Environment) -> String? {
        guard let adapter = fleet.adapters[name] else { return "RuntimeAdapter '\(name)' not found\(suggest(name, fleet.adapters.keys))" }
        if !adapter.spec.isEnabled { return "RuntimeAdapter '\(name)' is disabled" }
        if !(listed[environment.metadata.name]?.contains(name) ?? (environment.spec.adapters ?? []).contains(name)) {
            return "RuntimeAdapter '\(name)' is not listed in Environment '\(environment.metadata.name)' spec.adapters"
        }
        if adapter.spec.runtimeType != blueprint.spec.deploymentTarget {
            return "AgentBlueprint '\(blueprint.metadata.name)@\(blueprint.spec.version)' targets \(blueprint.spec.deploymentTarget.rawValue) but RuntimeAdapter '\(name)' is \(adapter.spec.runtimeType.rawValue)"
        }
        let provides = provided[name] ?? adapter.spec.providedCapabilities
        if !blueprint.spec.requiresOnly(provides) {
            let missing = blueprint.spec.allRequiredCapabilities.subtracting(provides)
            return "RuntimeAdapter '\(name)' does not provide \(missing.sorted().joined(separator: ", ")) required by AgentBlueprint '\(blueprint.metadata.name)@\(blueprint.spec.version)'"
        }
        return nil
    }

    private func chooseAdapter(_ blueprint: AgentBlueprint, _ environment: Environment, _ resource: Resource,
                               errors: inout [ValidationError]) -> String? {
        let listed = environment.spec.adapters ?? []
        let fitting = listed.filter { mismatch($0, blueprint, environment) == nil }
        if fitting.count == 1 { return fitting[0] }
        let ref = "\(blueprint.metadata.name)@\(blueprint.spec.version)"
        if fitting.isEmpty {
            let reasons = listed.compactMap { mismatch($0, blueprint, environment) }
            let detail = reasons.isEmpty ? "Environment '\(environment.metadata.name)' lists no adapters" : reasons.joined(separator: "; ")
            errors.append(resource.error("spec.runtimeAdapter", "no adapter in Environment '\(environment.metadata.name)' can run AgentBlueprint '\(ref)': \(detail)"))
        } else {
            errors.append(resource.error("spec.runtimeAdapter", "several adapters in Environment '\(environment.metadata.name)' can run AgentBlueprint '\(ref)' (\(fitting.joined(separator: ", "))); set spec.runtimeAdapter"))
        }
        return nil
    }

    private func suggest(_ name: String, _ candidates: some Sequence<String>) -> String {
        Spelling.closest(to: name, among: Set(candidates)).map { ", did you mean '\($0)'?" } ?? ""
    }
}
