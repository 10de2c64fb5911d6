import Foundation
import Manifests
import Reconcile

/// `registerVersion` and version ids (DESIGN §5): versions are immutable on the console.
extension HTTPDriver {
    /// `POST /api/deployments/versions`; a 409 with the same content counts as success.
    func registerVersion(_ request: ActionRequest) async throws -> ActionOutcome {
        let action = request.action
        let (name, version) = try Self.blueprintVersion(of: action)
        let workflowSpec = ConsoleAPI.workflowSpec(name: name, version: version, spec: action.document["spec"])
        let body = ConsoleAPI.registerVersion(workflowSpec: workflowSpec, version: version, gitCommit: action.commit,
                                              stewardKey: request.idempotencyKey)
        let response = try await send("POST", "/api/deployments/versions", body: body, idempotencyKey: request.idempotencyKey)
        let label = "\(name)@\(version)"
        if response.status == 409 {
            let conflict = try? JSONDecoder().decode(ConsoleAPI.VersionConflict.self, from: response.body)
            guard let registered = conflict?.workflowSpec else {
                throw response.failure("version \(label) is already registered and the console did not return its content")
            }
            guard registered.canonicalJSON == workflowSpec.canonicalJSON else {
                throw DriverError("version \(label) already registered with different content", transient: false)
            }
            let id: String
            if let known = conflict?.id { id = known } else if let found = try await lookUpVersionId(name: name, version: version) {
                id = found
            } else {
                throw DriverError("version \(label) is registered but the console does not list it", transient: true)
            }
            versionIds[label] = id
            return ActionOutcome(message: "version \(label) already registered with the same content (console version \(id))",
                                 targetId: id)
        }
        let created = try response.requireSuccess().decode(ConsoleAPI.Created.self, what: "version")
        versionIds[label] = created.id
        return ActionOutcome(message: "registered version \(label) (console version \(created.id))", targetId: created.id)
    }

    /// The console id of `name@version`: remembered, else from `GET /api/deployments/versions?name=`.
    func lookUpVersionId(name: String, version: String) async throws -> String? {
        if let known = versionIds["\(name)@\(version)"] { return known }
        let response = try await call("GET", "/api/deployments/versions", query: [URLQueryItem(name: "name", value: name)])
        let listed = try response.decode([ConsoleAPI.Version].self, what: "version list")
        for entry in listed where (entry.name ?? name) == name {
            if let entryVersion = entry.version { versionIds["\(name)@\(entryVersion)"] = entry.id }
        }
        return versionIds["\(name)@\(version)"]
    }

    /// The console id of a version that must already be registered (terminal error otherwise).
    func requireVersionId(name: String, version: String) async throws -> String {
        guard let id = try await lookUpVersionId(name: name, version: version) else {
            throw DriverError("blueprint version \(name)@\(version) is not registered on the console", transient: false)
        }
        return id
    }

    /// Blueprint name and version of a `registerVersion` action (document, else `name@version` key).
    static func blueprintVersion(of action: PlannedAction) throws -> (name: String, version: String) {
        let keyParts = action.key.name.split(separator: "@", maxSplits: 1).map(String.init)
        let name = action.document["metadata"]?["name"]?.string ?? keyParts.first
        let version = action.version ?? action.document["spec"]?["version"]?.string ?? (keyParts.count == 2 ? keyParts[1] : nil)
        guard let name, let version, !name.isEmpty, !version.isEmpty else {
            throw DriverError("\(action.key.resource) names no blueprint version", transient: false)
        }
        return (name, version)
    }
}
