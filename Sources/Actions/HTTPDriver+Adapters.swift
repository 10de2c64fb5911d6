import Foundation
import Manifests
import Reconcile

/// configureAdapter / removeAdapter: `PUT` / `DELETE /api/runtime-adapters/:name` (DESIGN §5).
extension HTTPDriver {
    /// `PUT /api/runtime-adapters/:name` with the adapter's spec as body.
    func configureAdapter(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        guard let spec = request.action.document["spec"] else {
            throw DriverError("\(request.action.key.resource) has no spec to configure", transient: false)
        }
        _ = try await call("PUT", Self.adapterPath(name), body: spec, idempotencyKey: request.idempotencyKey)
        return ActionOutcome(message: "configured runtime adapter \(name) in \(request.environment)", targetId: name)
    }

    /// `DELETE /api/runtime-adapters/:name`; an adapter already gone counts as removed.
    func removeAdapter(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        let response = try await send("DELETE", Self.adapterPath(name), idempotencyKey: request.idempotencyKey)
        if response.status == 404 {
            return ActionOutcome(message: "runtime adapter \(name) was already absent from \(request.environment)", targetId: name)
        }
        _ = try response.requireSuccess()
        return ActionOutcome(message: "removed runtime adapter \(name) from \(request.environment)", targetId: name)
    }

    /// `GET /health/runtime-adapters`: adapter name → status; nil when the console has no such endpoint.
    public func adapterHealth() async throws -> [String: String]? {
        let response = try await send("GET", "/health/runtime-adapters")
        if response.status == 404 { return nil }
        let list = try response.requireSuccess().decode(ConsoleAPI.AdapterHealthList.self, what: "adapter health")
        return Dictionary(list.adapters.map { ($0.name, $0.status ?? "unknown") }, uniquingKeysWith: { _, last in last })
    }
}
