import Foundation
import Manifests
import Reconcile

/// configureAdapter / removeAdapter: `PUT` / `DELETE /api/runtime-adapters/:name` (DESIGN §5); their
/// health from `GET /health/runtime-adapters` (deployment guide).
extension HTTPDriver {
    /// `PUT /api/runtime-adapters/:name` with the adapter's spec as body.
    func configureAdapter(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        guard let spec = request.action.document["spec"] else {
            throw DriverError("\(request.action.key.resource) has no spec to configure", transient: false)
        }
        _ = try await call(.PUT, Self.adapterPath(name), body: spec, idempotencyKey: request.idempotencyKey)
        return ActionOutcome(message: "configured runtime adapter \(name) in \(request.environment)", targetId: name)
    }

    /// `DELETE /api/runtime-adapters/:name`; an adapter already gone (404) counts as removed.
    func removeAdapter(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        let response = try await send(.DELETE, Self.adapterPath(name), idempotencyKey: request.idempotencyKey)
        if response.status == .notFound {
            return ActionOutcome(message: "runtime adapter \(name) was already absent from \(request.environment)", targetId: name)
        }
        _ = try response.requireSuccess()
        return ActionOutcome(message: "removed runtime adapter \(name) from \(request.environment)", targetId: name)
    }

    /// `GET /health/runtime-adapters`, read leniently (`ConsoleAPI.AdapterHealth`).
    public func adapterHealth() async throws -> ConsoleAPI.AdapterHealth {
        let response = try await call(.GET, "/health/runtime-adapters")
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: response.body) else {
            throw DriverError("console GET /health/runtime-adapters: the answer is not JSON: \(response.snippet)", transient: false)
        }
        do {
            return try ConsoleAPI.AdapterHealth(json)
        } catch {
            throw DriverError("console GET /health/runtime-adapters: \(error)", transient: false)
        }
    }

    /// Each adapter as the console's adapter health shows it: its health, or missing when the answer
    /// does not name it. An answer that cannot be had or read makes every adapter `Unknown` with the
    /// reason: adapter health never fails a probe.
    func adapterProbes(_ adapters: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        let health: ConsoleAPI.AdapterHealth
        do {
            health = try await adapterHealth()
        } catch let error as DriverError {
            return Dictionary(uniqueKeysWithValues: adapters.map {
                ($0.key, ProbeResult(state: .inSync, health: .unknown, message: "runtime adapter \($0.key.name): \(error.message)"))
            })
        }
        var results: [ResourceKey: ProbeResult] = [:]
        for resource in adapters {
            let name = resource.key.name
            switch health.adapters[name] {
            case .sample(let sample)?:
                results[resource.key] = ProbeResult(state: .inSync, health: Self.healthStatus(sample.status),
                                                    message: "runtime adapter \(name) is \(sample.status)")
            case .unreadable(let reason)?:
                results[resource.key] = ProbeResult(state: .inSync, health: .unknown, message: "runtime adapter \(name): unreadable \(reason)")
            case .absent?, nil:
                results[resource.key] = ProbeResult(state: .missing, health: .missing,
                                                    message: "runtime adapter \(name) is not on the console")
            }
        }
        return results
    }
}
