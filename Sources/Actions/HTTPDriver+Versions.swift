import Foundation
import Manifests
import Reconcile
import StateStore

/// `registerVersion` (DESIGN §5): versions are immutable on the console; their ids live in the store.
extension HTTPDriver {
    /// `POST /api/deployments/versions`; the id it answers is recorded at once. A 409 (the version is
    /// already registered, e.g. through another environment on the same console) counts as success
    /// with the id Steward recorded before, or one the 409 body carries; the guide documents no 409
    /// body, so nothing else is read from it, except that a body showing other content is refused.
    func registerVersion(_ request: ActionRequest) async throws -> ActionOutcome {
        let (name, version) = try Self.blueprintVersion(of: request.action)
        let label = ConsoleId.versionSubject(blueprint: name, version: version)
        return try await RegistrationTurns.shared.one("\(consoleKey) \(label)") {
            try await register(request, name: name, version: version, label: label)
        }
    }

    /// One registration, while no other of the same version on this console runs. A version Steward
    /// registered on this console before (through another environment) is not sent again: its id is
    /// in the store, and Git keeps a registered name@version's content immutable (DESIGN §2).
    private func register(_ request: ActionRequest, name: String, version: String, label: String) async throws -> ActionOutcome {
        if let known = try await book().versionId(blueprint: name, version: version) {
            return ActionOutcome(message: "version \(label) already registered on this console (console version \(known))", targetId: known)
        }
        let action = request.action
        let workflowSpec = ConsoleAPI.workflowSpec(name: name, version: version, spec: action.document["spec"])
        let body = ConsoleAPI.registerVersion(workflowSpec: workflowSpec, version: version, gitCommit: action.commit,
                                              stewardKey: request.idempotencyKey)
        let response = try await send(.POST, "/api/deployments/versions", body: body, idempotencyKey: request.idempotencyKey)
        if response.status == .conflict {
            let answer = try? JSONDecoder().decode(JSONValue.self, from: response.body)
            if let registered = answer?["workflowSpec"], registered.object != nil, registered.canonicalJSON != workflowSpec.canonicalJSON {
                throw DriverError("version \(label) already registered with different content", transient: false)
            }
            if let known = try await book().versionId(blueprint: name, version: version) {
                // Steward registered it: Git keeps a registered name@version's content immutable (DESIGN §2).
                return ActionOutcome(message: "version \(label) already registered with the same content (console version \(known))",
                                     targetId: known)
            }
            guard let id = answer?["id"]?.consoleId else {
                throw response.failure("version \(label) is already registered on the console, and Steward has no record of its id")
            }
            await remember(.version, label, id: id)
            return ActionOutcome(message: "version \(label) already registered (console version \(id))", targetId: id)
        }
        guard let created = ConsoleAPI.Created(try response.requireSuccess().json(what: "a version")) else {
            throw response.failure("the answer to registering \(label) carries no id")
        }
        await remember(.version, label, id: created.id)
        return ActionOutcome(message: "registered version \(label) (console version \(created.id))", targetId: created.id)
    }

    /// The console id of a version that must already be registered (terminal error otherwise).
    func requireVersionId(name: String, version: String, book: ConsoleIdBook) throws -> String {
        guard let id = book.versionId(blueprint: name, version: version) else {
            throw DriverError("blueprint version \(name)@\(version) is not registered on the console (Steward has no record of its id)",
                              transient: false)
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
