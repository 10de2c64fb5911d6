import Foundation
import Manifests

/// Versions, runtime adapters and health on the test console.
extension ConsoleState.Storage {
    /// `POST /api/deployments/versions {workflowSpec, version, createdBy, metadata}` →
    /// `{id, version, workflowId, createdAt, createdBy, status: registered}`. The same workflow and
    /// version again is a 409 with only `{error}` (DESIGN §5 names the 409; the guide shows no body).
    mutating func registerVersion(_ body: JSONValue?) -> ConsoleAnswer {
        guard let spec = body?["workflowSpec"], spec.object != nil,
              let workflowId = spec["id"]?.string ?? spec["name"]?.string,
              let version = body?["version"]?.string ?? spec["version"]?.string else {
            return .error(400, "workflowSpec (with an id) and version are required")
        }
        if versions.contains(where: { $0.workflowId == workflowId && $0.version == version }) {
            return .error(409, "version \(version) of \(workflowId) is already registered")
        }
        let id = newId("ver")
        versions.append(ConsoleVersionRecord(id: id, workflowId: workflowId, name: spec["name"]?.string ?? workflowId, version: version,
                                             workflowSpec: spec, body: body ?? .null))
        return .json(201, .object([
            "id": .string(id), "version": .string(version), "workflowId": .string(workflowId),
            "createdAt": .string(consoleTime(Date())), "createdBy": body?["createdBy"] ?? .null, "status": .string("registered"),
        ]))
    }

    /// `GET /health` → `{status, version, uptime, timestamp, components}`.
    func healthAnswer() -> ConsoleAnswer {
        .json(200, .object([
            "status": .string("healthy"), "version": .string("1.0.0"), "uptime": .int(Int(Date().timeIntervalSince(startedAt))),
            "timestamp": .string(consoleTime(Date())),
            "components": .object(["api": .string("operational"), "database": .string("operational"),
                                   "stateStore": .string("operational"), "eventLog": .string("operational")]),
        ]))
    }

    /// `GET /health/runtime-adapters`: the registry's shape, `{adapterId: {healthy: bool}}`, for the
    /// configured adapters (or the answer a test set).
    func adapterHealth() -> ConsoleAnswer {
        if let adapterHealthAnswer { return .json(200, adapterHealthAnswer) }
        return .json(200, .object(Dictionary(uniqueKeysWithValues: adapters.keys.map {
            ($0, JSONValue.object(["healthy": .bool(adapterHealthy[$0] ?? true)]))
        })))
    }

    /// `PUT /api/runtime-adapters/:name` with the adapter's spec (DESIGN §5).
    mutating func putAdapter(_ name: String, _ body: JSONValue?) -> ConsoleAnswer {
        guard let body, body.object != nil else { return .error(400, "an adapter spec object is required") }
        adapters[name] = body
        return .json(200, .object(["name": .string(name), "status": .string("configured")]))
    }

    /// `DELETE /api/runtime-adapters/:name` (DESIGN §5): 404 when it is not there.
    mutating func deleteAdapter(_ name: String) -> ConsoleAnswer {
        guard adapters.removeValue(forKey: name) != nil else { return .error(404, "no runtime adapter \(name)") }
        adapterHealthy[name] = nil
        return .noContent
    }
}
