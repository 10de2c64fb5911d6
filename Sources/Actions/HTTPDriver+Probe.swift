import Foundation
import Manifests
import Reconcile

/// Probes (DESIGN §4): what the console runs for what Steward applied; health for the gates.
extension HTTPDriver {
    /// Deployments from `GET /api/deployments?environment=ENV` (only those carrying
    /// `metadata.stewardDeployment`); runtime adapters from `GET /health/runtime-adapters`.
    /// Blueprint versions are permanent and not probed.
    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        var results: [ResourceKey: ProbeResult] = [:]
        let deployments = applied.filter { $0.key.kind == .deployment }
        if !deployments.isEmpty {
            let list = try await self.deployments(environment: environment)
            for resource in deployments {
                results[resource.key] = Self.probeResult(for: resource, in: list, environment: environment)
            }
        }
        let adapters = applied.filter { $0.key.kind == .runtimeAdapter }
        if !adapters.isEmpty, let health = try await adapterHealth() {
            for resource in adapters {
                let name = resource.key.name
                if let status = health[name] {
                    results[resource.key] = ProbeResult(state: .inSync, health: Self.healthStatus(status),
                                                        message: "runtime adapter \(name) is \(status)")
                } else {
                    results[resource.key] = ProbeResult(state: .missing, health: .missing,
                                                        message: "runtime adapter \(name) is not on the console")
                }
            }
        }
        return results
    }

    /// missing / drifted (version, or a failed or rolled-back status) / in sync with its health.
    static func probeResult(for resource: AppliedResource, in list: [ConsoleAPI.Deployment], environment: String) -> ProbeResult {
        let name = resource.key.name
        guard let current = current(of: name, in: list) else {
            return ProbeResult(state: .missing, health: .missing, message: "no console deployment of \(name) in \(environment)")
        }
        let applied = resource.version ?? resource.spec["spec"]?["version"]?.string
        let health = current.health.map(healthSample)
        if !ConsoleStatus.isLive(current.status) {
            return ProbeResult(state: .drifted, health: .degraded,
                               message: "console deployment \(current.id) of \(name) is \(current.status)")
        }
        if let applied, current.stewardVersion != applied {
            return ProbeResult(state: .drifted, health: health.map { healthStatus($0.status) } ?? .unknown,
                               message: "console deployment \(current.id) runs version \(current.stewardVersion ?? "unknown"), applied \(applied)")
        }
        guard current.status == ConsoleStatus.deployed else {
            return ProbeResult(state: .inSync, health: .progressing,
                               message: "console deployment \(current.id) of \(name) is \(current.status)")
        }
        guard let health else {
            return ProbeResult(state: .inSync, health: .unknown, message: "console deployment \(current.id) reports no health")
        }
        return ProbeResult(state: .inSync, health: healthStatus(health.status),
                           message: "console deployment \(current.id): \(describe(health))",
                           errorRate: health.errorRate, responseTimeMs: health.responseTime)
    }

    /// Deployment name → health of its current console deployment, for the health gate (DESIGN §6).
    public func health(environment: String? = nil) async throws -> [String: HealthSample] {
        var samples: [String: HealthSample] = [:]
        let list = try await deployments(environment: environment ?? self.environment)
        for name in Set(list.compactMap(\.stewardDeployment)) {
            guard let current = Self.current(of: name, in: list) else { continue }
            samples[name] = current.health.map(Self.healthSample) ?? HealthSample(status: "unknown")
        }
        return samples
    }

    /// `GET /health`: throws unless the console answers 2xx.
    public func ping() async throws {
        _ = try await call("GET", "/health")
    }

    static func healthSample(_ health: ConsoleAPI.Health) -> HealthSample {
        HealthSample(status: health.status ?? "unknown", errorRate: health.errorRate, responseTime: health.responseTime)
    }

    static func healthStatus(_ status: String) -> HealthStatus {
        switch status.lowercased() {
        case "healthy", "ok", "up": return .healthy
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
