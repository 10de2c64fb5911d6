import Foundation

/// Checks of one resource on its own: names, versions, cron, driver fields, ranges.
enum ResourceRules {
    static func check(_ resource: Resource) -> [ValidationError] {
        var errors: [ValidationError] = []
        if let problem = NameRules.problem(resource.name) { errors.append(resource.error("metadata.name", problem)) }
        switch resource.body {
        case .runtimeAdapter(let adapter): errors += adapterRules(adapter.spec, resource)
        case .agentBlueprint(let blueprint): errors += blueprintRules(blueprint.spec, resource)
        case .environment(let environment): errors += EnvironmentRules.check(environment.spec, resource)
        case .deployment(let deployment): errors += deploymentRules(deployment.spec, resource)
        case .backupSchedule(let backup): errors += backupRules(backup.spec, resource)
        case .target(let target): errors += TargetRules.check(target, resource)
        }
        return errors
    }

    static func reference(_ name: String, _ field: String, _ resource: Resource) -> [ValidationError] {
        NameRules.problem(name).map { [resource.error(field, $0)] } ?? []
    }

    static func positive(_ value: Int?, _ field: String, _ resource: Resource) -> [ValidationError] {
        guard let value, value <= 0 else { return [] }
        return [resource.error(field, "must be greater than 0, got \(value)")]
    }

    static func cron(_ text: String, _ field: String, _ resource: Resource) -> [ValidationError] {
        do {
            _ = try CronExpression(parsing: text)
            return []
        } catch {
            return [resource.error(field, "invalid cron expression '\(text)': \(error.message)")]
        }
    }

    private static func capabilityNames(_ names: [String], _ field: String, _ resource: Resource) -> [ValidationError] {
        names.enumerated().compactMap { index, name in
            CapabilityName.normalize(name).isEmpty ? resource.error("\(field)[\(index)]", "capability name must not be empty") : nil
        }
    }

    private static func adapterRules(_ spec: RuntimeAdapterSpec, _ resource: Resource) -> [ValidationError] {
        var errors = capabilityNames(spec.provides ?? [], "spec.provides", resource)
        if case .list(let names) = spec.capabilities { errors += capabilityNames(names, "spec.capabilities", resource) }
        errors += RuntimeConfigRules.check(spec.runtimeType, spec.config, resource)
        return errors
    }

    private static func blueprintRules(_ spec: AgentBlueprintSpec, _ resource: Resource) -> [ValidationError] {
        var errors: [ValidationError] = []
        if SemanticVersion(spec.version) == nil {
            errors.append(resource.error("spec.version", "'\(spec.version)' is not a semantic version, expected MAJOR.MINOR.PATCH like 1.2.0"))
        }
        errors += capabilityNames(spec.requiredCapabilities ?? [], "spec.requiredCapabilities", resource)
        var seenTools = Set<String>()
        for (index, tool) in (spec.toolAdapters ?? []).enumerated() where !seenTools.insert(tool.adapterId).inserted {
            errors.append(resource.error("spec.toolAdapters[\(index)].adapterId", "duplicate tool adapter '\(tool.adapterId)'"))
        }
        if let temperature = spec.config?["temperature"]?.number, !(0...2).contains(temperature) {
            errors.append(resource.error("spec.config.temperature", "must be between 0 and 2, got \(temperature)"))
        }
        return errors
    }

    private static func deploymentRules(_ spec: DeploymentSpec, _ resource: Resource) -> [ValidationError] {
        var errors = reference(spec.blueprint, "spec.blueprint", resource) + reference(spec.environment, "spec.environment", resource)
        if let adapter = spec.runtimeAdapter { errors += reference(adapter, "spec.runtimeAdapter", resource) }
        if let version = spec.version, SemanticVersion(version) == nil {
            errors.append(resource.error("spec.version", "'\(version)' is not a semantic version, expected MAJOR.MINOR.PATCH like 1.2.0"))
        }
        if let strategy = spec.strategy { errors += EnvironmentRules.strategy(strategy, resource) }
        for (label, value) in (spec.targetSelector?.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let problem = TargetRules.labelProblem(label, value) {
                errors.append(resource.error("spec.targetSelector.matchLabels.\(label)", problem))
            }
        }
        return errors
    }

    private static func backupRules(_ spec: BackupScheduleSpec, _ resource: Resource) -> [ValidationError] {
        var errors = cron(spec.schedule, "spec.schedule", resource)
        switch (spec.target, spec.command) {
        case (.command, nil), (.command, []?):
            errors.append(resource.error("spec.command", "target 'command' needs a command (a list: program and arguments)"))
        case (.eventLog, _?), (.stateStore, _?):
            errors.append(resource.error("spec.command", "command is only used with target 'command'"))
        default: break
        }
        switch (spec.target, spec.restore) {
        case (.command, []?):
            errors.append(resource.error("spec.restore", "restore must not be empty (a list: program and arguments)"))
        case (.eventLog, _?), (.stateStore, _?):
            errors.append(resource.error("spec.restore", "restore is only used with target 'command' (steward restores its own event log and state store)"))
        default: break
        }
        if spec.destination.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(resource.error("spec.destination", "destination must not be empty"))
        }
        errors += positive(spec.retention?.keepLast, "spec.retention.keepLast", resource)
        errors += positive(spec.retention?.maxAgeDays, "spec.retention.maxAgeDays", resource)
        errors += positive(spec.timeoutSeconds, "spec.timeoutSeconds", resource)
        return errors
    }
}
