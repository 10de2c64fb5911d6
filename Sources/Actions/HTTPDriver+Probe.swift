import Foundation
import Manifests
import Reconcile

/// Probes (DESIGN §4): what the console runs for what Steward applied; health for the gates.
extension HTTPDriver {
    /// Deployments from `GET /api/deployments?environment=ENV`; runtime adapters from
    /// `GET /health/runtime-adapters`. An answer of an unknown shape makes that part `Unknown` with
    /// the reason, never a failed probe. Blueprint versions are permanent and not probed.
    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        var results: [ResourceKey: ProbeResult] = [:]
        let deployments = applied.filter { $0.key.kind == .deployment }
        if !deployments.isEmpty {
            let book = try await book()
            let response = try await call(.GET, "/api/deployments", query: [("environment", environment)])
            do {
                guard let json = try? JSONDecoder().decode(JSONValue.self, from: response.body) else {
                    throw ConsoleAPI.Unreadable("the deployment list is not JSON: \(response.snippet)")
                }
                let list = try ConsoleDeploymentList(answer: json)
                for resource in deployments {
                    results[resource.key] = probeResult(for: resource, in: list, book: book, environment: environment)
                }
            } catch let unreadable as ConsoleAPI.Unreadable {
                let message = "console GET /api/deployments?environment=\(environment): \(unreadable)"
                for resource in deployments { results[resource.key] = ProbeResult(state: .inSync, health: .unknown, message: message) }
            }
        }
        let adapters = applied.filter { $0.key.kind == .runtimeAdapter }
        if !adapters.isEmpty {
            results.merge(try await adapterProbes(adapters)) { $1 }
        }
        return results
    }

    /// missing / drifted (version, or a failed or rolled-back status) / in sync with its health.
    func probeResult(for resource: AppliedResource, in list: ConsoleDeploymentList, book: ConsoleIdBook,
                     environment: String) -> ProbeResult {
        let name = resource.key.name
        let knownId = book.deploymentId(environment: environment, deployment: name)
        guard let current = list.current(of: name, knownId: knownId) else {
            return ProbeResult(state: .missing, health: .missing, message: "no console deployment of \(name) in \(environment)")
        }
        if !ConsoleStatus.isLive(current.status) {
            return ProbeResult(state: .drifted, health: .degraded,
                               message: "console deployment \(current.id) of \(name) is \(current.status)")
        }
        let spec = resource.spec["spec"]
        let blueprint = spec?["blueprint"]?.string ?? ""
        if let applied = resource.version ?? spec?["version"]?.string, !runs(current, applied, of: blueprint, book: book) {
            let running = runningVersion(current, of: blueprint, book: book) ?? current.versionId.map { "console version \($0)" } ?? "unknown"
            let health: HealthStatus
            if case .sample(let sample) = current.health { health = Self.healthStatus(sample.status) } else { health = .unknown }
            return ProbeResult(state: .drifted, health: health,
                               message: "console deployment \(current.id) runs version \(running), applied \(applied)")
        }
        guard current.status == ConsoleStatus.deployed else {
            return ProbeResult(state: .inSync, health: .progressing, message: "console deployment \(current.id) of \(name) is \(current.status)")
        }
        switch current.health {
        case .absent:
            return ProbeResult(state: .inSync, health: .unknown, message: "console deployment \(current.id) reports no health")
        case .unreadable(let reason):
            return ProbeResult(state: .inSync, health: .unknown, message: "console deployment \(current.id): unreadable \(reason)")
        case .sample(let sample):
            return ProbeResult(state: .inSync, health: Self.healthStatus(sample.status),
                               message: "console deployment \(current.id): \(Self.describe(sample))",
                               errorRate: sample.errorRate, responseTimeMs: sample.responseTime)
        }
    }

    /// Deployment name → health of its current console deployment, for the health gate (DESIGN §6);
    /// `unknown` when the console reports none or one Steward cannot read.
    public func health(environment: String? = nil) async throws -> [String: HealthSample] {
        let environment = environment ?? self.environment
        let book = try await book()
        let list = try await deployments(environment: environment)
        let prefix = "\(environment)/"
        let recorded = book.deployments.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        var samples: [String: HealthSample] = [:]
        for name in Set(list.newestFirst.compactMap(\.stewardDeployment) + recorded) {
            guard let current = list.current(of: name, knownId: book.deploymentId(environment: environment, deployment: name)) else {
                continue
            }
            if case .sample(let sample) = current.health { samples[name] = sample } else { samples[name] = HealthSample(status: "unknown") }
        }
        return samples
    }

    /// `GET /health`: throws unless the console answers 2xx.
    public func ping() async throws {
        _ = try await call(.GET, "/health")
    }

    static func healthStatus(_ status: String) -> HealthStatus {
        switch status.lowercased() {
        case "healthy", "ok", "up", "operational": return .healthy
        case "degraded", "unhealthy", "down", "failing": return .degraded
        case "pending", "progressing", "starting": return .progressing
        default: return .unknown
        }
    }

    /// "healthy, errorRate 0.001, responseTime 120ms".
    static func describe(_ sample: HealthSample) -> String {
        var parts = [sample.status]
        if let errorRate = sample.errorRate { parts.append("errorRate \(number(errorRate))") }
        if let responseTime = sample.responseTime { parts.append("responseTime \(number(responseTime))ms") }
        return parts.joined(separator: ", ")
    }

    /// `640` rather than `640.0`.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
