import Foundation

/// Checks of one Environment: driver fields per type, strategy, gates, sync windows.
enum EnvironmentRules {
    static func check(_ spec: EnvironmentSpec, _ resource: Resource) -> [ValidationError] {
        var errors = driver(spec.driver, resource)
        if let from = spec.promotesFrom {
            errors += ResourceRules.reference(from, "spec.promotesFrom", resource)
            if from == resource.name { errors.append(resource.error("spec.promotesFrom", "an environment cannot promote from itself")) }
        }
        var seen = Set<String>()
        for (index, adapter) in (spec.adapters ?? []).enumerated() {
            errors += ResourceRules.reference(adapter, "spec.adapters[\(index)]", resource)
            if !seen.insert(adapter).inserted { errors.append(resource.error("spec.adapters[\(index)]", "adapter '\(adapter)' is listed twice")) }
        }
        if let strategy = spec.strategy { errors += self.strategy(strategy, resource) }
        if let gates = spec.gates { errors += self.gates(gates, resource) }
        errors += preDeploy(spec.gates?.preDeploy ?? [], driver: spec.driver.type, resource)
        var schedules = Set<String>()
        for (index, schedule) in (spec.gates?.backupBefore ?? []).enumerated() {
            errors += ResourceRules.reference(schedule, "spec.gates.backupBefore[\(index)]", resource)
            if !schedules.insert(schedule).inserted {
                errors.append(resource.error("spec.gates.backupBefore[\(index)]", "BackupSchedule '\(schedule)' is listed twice"))
            }
        }
        for (index, window) in (spec.syncWindows ?? []).enumerated() {
            let field = "spec.syncWindows[\(index)]"
            errors += ResourceRules.cron(window.schedule, "\(field).schedule", resource)
            errors += ResourceRules.positive(window.durationMinutes, "\(field).durationMinutes", resource)
            if let zone = window.timeZone, TimeZone(identifier: zone) == nil {
                errors.append(resource.error("\(field).timeZone", "unknown time zone '\(zone)', expected an IANA name like Europe/Berlin"))
            }
        }
        if spec.autoRollback?.revertCommit == true, spec.autoRollback?.enabled == false {
            errors.append(resource.error("spec.autoRollback.revertCommit", "revertCommit needs autoRollback.enabled: true"))
        }
        if spec.autoRollback?.restoreBackup == true {
            if spec.autoRollback?.enabled == false {
                errors.append(resource.error("spec.autoRollback.restoreBackup", "restoreBackup needs autoRollback.enabled: true"))
            } else if (spec.gates?.backupBefore ?? []).isEmpty {
                errors.append(resource.error("spec.autoRollback.restoreBackup", "restoreBackup restores what gates.backupBefore took: name a BackupSchedule there"))
            }
        }
        return errors
    }

    private static func driver(_ driver: DriverSpec, _ resource: Resource) -> [ValidationError] {
        var errors: [ValidationError] = []
        func forbid(_ present: Bool, _ field: String) {
            if present { errors.append(resource.error("spec.driver.\(field)", "'\(field)' is not used by the \(driver.type.rawValue) driver")) }
        }
        func require(_ present: Bool, _ field: String, _ what: String) {
            if !present { errors.append(resource.error("spec.driver.\(field)", "the \(driver.type.rawValue) driver needs '\(field)' (\(what))")) }
        }
        switch driver.type {
        case .local:
            require(!(driver.root ?? "").isEmpty, "root", "the folder the environment is materialised under")
            forbid(driver.command != nil, "command"); forbid(driver.url != nil, "url"); forbid(driver.tokenFrom != nil, "tokenFrom")
            forbid(driver.env != nil, "env"); forbid(driver.timeoutSeconds != nil, "timeoutSeconds"); forbid(driver.statusBatch != nil, "statusBatch")
        case .exec:
            require(!(driver.command ?? []).isEmpty, "command", "a list: program and arguments")
            forbid(driver.root != nil, "root"); forbid(driver.url != nil, "url"); forbid(driver.tokenFrom != nil, "tokenFrom")
        case .http:
            require(driver.url != nil, "url", "the console's base URL")
            if let url = driver.url, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
                errors.append(resource.error("spec.driver.url", "'\(url)' is not an http(s) URL"))
            }
            forbid(driver.root != nil, "root"); forbid(driver.command != nil, "command"); forbid(driver.env != nil, "env")
            forbid(driver.statusBatch != nil, "statusBatch")
        }
        if let batch = driver.statusBatch, !(1...1000).contains(batch) {
            errors.append(resource.error("spec.driver.statusBatch", "statusBatch is 1 to 1000 resources per status run, got \(batch)"))
        }
        errors += ResourceRules.positive(driver.timeoutSeconds, "spec.driver.timeoutSeconds", resource)
        if let token = driver.tokenFrom { errors += secretRef(token, "spec.driver.tokenFrom", resource) }
        for (name, value) in (driver.env ?? [:]).sorted(by: { $0.key < $1.key }) {
            if name.hasPrefix("STEWARD_") {
                errors.append(resource.error("spec.driver.env.\(name)", "STEWARD_* variables are set by Steward and cannot be overridden"))
            }
            if let ref = value.reference { errors += secretRef(ref, "spec.driver.env.\(name)", resource) }
        }
        return errors
    }

    /// A secret reference names exactly one non-empty source (unknown keys are refused by the parser).
    static func secretRef(_ ref: SecretRef, _ field: String, _ resource: Resource) -> [ValidationError] {
        switch (ref.env, ref.file) {
        case (let env?, nil): return env.isEmpty ? [resource.error("\(field).env", "{env: NAME} needs the name of an environment variable")] : []
        case (nil, let file?): return file.isEmpty ? [resource.error("\(field).file", "{file: PATH} needs a path")] : []
        case (.some, .some): return [resource.error(field, "a secret reference names one source, {env: NAME} or {file: PATH}, not both")]
        case (nil, nil): return [resource.error(field, "a secret reference needs exactly one of {env: NAME} or {file: PATH}")]
        }
    }

    /// `gates.preDeploy`: named, unique, exactly one of a command or an endpoint; endpoints need the http driver.
    private static func preDeploy(_ checks: [PreDeployCheck], driver: DriverSpec.DriverType, _ resource: Resource) -> [ValidationError] {
        var errors: [ValidationError] = []
        var names = Set<String>()
        for (index, check) in checks.enumerated() {
            let field = "spec.gates.preDeploy[\(index)]"
            if check.name.isEmpty { errors.append(resource.error("\(field).name", "a pre-deploy check needs a name")) }
            if !names.insert(check.name).inserted { errors.append(resource.error("\(field).name", "duplicate pre-deploy check '\(check.name)'")) }
            switch (check.command, check.endpoint) {
            case (nil, nil), (.some, .some):
                errors.append(resource.error(field, "a pre-deploy check needs exactly one of 'command' or 'endpoint'"))
            case (let command?, nil) where command.first?.isEmpty ?? true:
                errors.append(resource.error("\(field).command", "command is a list: program and arguments, e.g. [./ops/check.sh]"))
            case (nil, let endpoint?) where !endpoint.hasPrefix("/"):
                errors.append(resource.error("\(field).endpoint", "endpoint must be a path starting with '/', got '\(endpoint)'"))
            case (nil, .some) where driver != .http:
                errors.append(resource.error("\(field).endpoint",
                                             "endpoint checks go through the http driver; the \(driver.rawValue) driver has no endpoints (use a command check)"))
            default: break
            }
            if let status = check.expectedStatus, !(100...599).contains(status) {
                errors.append(resource.error("\(field).expectedStatus", "must be an HTTP status from 100 to 599, got \(status)"))
            }
            if check.expectedStatus != nil, check.endpoint == nil {
                errors.append(resource.error("\(field).expectedStatus", "expectedStatus goes with an endpoint check"))
            }
            errors += ResourceRules.positive(check.timeoutSeconds, "\(field).timeoutSeconds", resource)
        }
        return errors
    }

    /// The rules of a rollout strategy, of an Environment or a Deployment (`field`: where it is).
    static func strategy(_ strategy: Strategy, _ resource: Resource, field: String = "spec.strategy") -> [ValidationError] {
        var errors: [ValidationError] = []
        if strategy.type != .rolling, strategy.maxUnavailable != nil {
            errors.append(resource.error("\(field).maxUnavailable", "maxUnavailable is only used by the rolling strategy"))
        }
        if strategy.type != .canary {
            if strategy.pauseSeconds != nil { errors.append(resource.error("\(field).pauseSeconds", "pauseSeconds is only used by the canary strategy")) }
            if strategy.approveSteps != nil { errors.append(resource.error("\(field).approveSteps", "approveSteps is only used by the canary strategy")) }
            if strategy.steps != nil { errors.append(resource.error("\(field).steps", "steps are only used by the canary strategy")) }
            return errors
        }
        errors += ResourceRules.positive(strategy.pauseSeconds, "\(field).pauseSeconds", resource)
        guard let steps = strategy.steps, !steps.isEmpty else {
            return errors + [resource.error("\(field).steps", "the canary strategy needs steps, e.g. [10, 50, 100]")]
        }
        if steps.contains(where: { $0 < 1 || $0 > 100 }) {
            return errors + [resource.error("\(field).steps", "each step is a percentage from 1 to 100")]
        }
        if zip(steps, steps.dropFirst()).contains(where: { $0 >= $1 }) || steps.last != 100 {
            return errors + [resource.error("\(field).steps", "steps must increase and end at 100, got \(steps)")]
        }
        return errors
    }

    private static func gates(_ gates: Gates, _ resource: Resource) -> [ValidationError] {
        var errors: [ValidationError] = []
        var names = Set<String>()
        for (index, test) in (gates.smokeTests ?? []).enumerated() {
            let field = "spec.gates.smokeTests[\(index)]"
            if test.name.isEmpty { errors.append(resource.error("\(field).name", "a smoke test needs a name")) }
            if !names.insert(test.name).inserted { errors.append(resource.error("\(field).name", "duplicate smoke test '\(test.name)'")) }
            switch (test.endpoint, test.workflowId) {
            case (nil, nil), (.some, .some):
                errors.append(resource.error(field, "a smoke test needs exactly one of 'endpoint' or 'workflowId'"))
            case (let endpoint?, nil) where !endpoint.hasPrefix("/"):
                errors.append(resource.error("\(field).endpoint", "endpoint must be a path starting with '/', got '\(endpoint)'"))
            default: break
            }
            if let status = test.expectedStatus, !(100...599).contains(status) {
                errors.append(resource.error("\(field).expectedStatus", "must be an HTTP status from 100 to 599, got \(status)"))
            }
            if test.expectedStatus != nil, test.endpoint == nil {
                errors.append(resource.error("\(field).expectedStatus", "expectedStatus goes with an endpoint test"))
            }
            if test.expectedOutcome != nil, test.workflowId == nil {
                errors.append(resource.error("\(field).expectedOutcome", "expectedOutcome goes with a workflow test"))
            }
            errors += ResourceRules.positive(test.timeoutSeconds, "\(field).timeoutSeconds", resource)
        }
        if let health = gates.health {
            if let rate = health.maxErrorRate, !(0...1).contains(rate) {
                errors.append(resource.error("spec.gates.health.maxErrorRate", "must be a fraction from 0 to 1, got \(rate)"))
            }
            if let latency = health.maxP95LatencyMs, latency <= 0 {
                errors.append(resource.error("spec.gates.health.maxP95LatencyMs", "must be greater than 0, got \(latency)"))
            }
            errors += ResourceRules.positive(health.windowSeconds, "spec.gates.health.windowSeconds", resource)
        }
        return errors
    }
}
