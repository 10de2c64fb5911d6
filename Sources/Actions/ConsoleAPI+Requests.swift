import Foundation
import Manifests

/// Request bodies of the console deployment API (DESIGN §5 mapping table), built as JSON values so
/// they are sent as canonical JSON.
extension ConsoleAPI {
    /// `POST /api/deployments/versions`.
    static func registerVersion(workflowSpec: JSONValue, version: String, gitCommit: String, stewardKey: String) -> JSONValue {
        .object([
            "workflowSpec": workflowSpec,
            "version": .string(version),
            "createdBy": .string("steward"),
            "metadata": .object(["gitCommit": .string(gitCommit), "stewardKey": .string(stewardKey)]),
        ])
    }

    /// `{id: "name@version", name, version, ...every member of the blueprint spec}`.
    static func workflowSpec(name: String, version: String, spec: JSONValue?) -> JSONValue {
        var members = spec?.object ?? [:]
        members["id"] = .string("\(name)@\(version)")
        members["name"] = .string(name)
        members["version"] = .string(version)
        return .object(members)
    }

    /// `metadata` of deployments Steward creates: `metadata.stewardDeployment` marks them as Steward's.
    static func deploymentMetadata(gitCommit: String, strategy: JSONValue?, deployment: String, stewardKey: String,
                                   version: String) -> JSONValue {
        var members: [String: JSONValue] = [
            "gitCommit": .string(gitCommit),
            "stewardDeployment": .string(deployment),
            "stewardKey": .string(stewardKey),
            "stewardVersion": .string(version),
        ]
        if let strategy { members["strategy"] = strategy }
        return .object(members)
    }

    /// `POST /api/deployments`.
    static func deploy(versionId: String, environment: String, metadata: JSONValue) -> JSONValue {
        .object([
            "versionId": .string(versionId),
            "environment": .string(environment),
            "deployedBy": .string("steward"),
            "metadata": metadata,
        ])
    }

    /// `POST /api/deployments/:sourceId/promote`.
    static func promote(targetEnvironment: String, strategy: JSONValue?, metadata: JSONValue) -> JSONValue {
        var members: [String: JSONValue] = [
            "promotedBy": .string("steward"),
            "targetEnvironment": .string(targetEnvironment),
            "metadata": metadata,
        ]
        if let strategy { members["strategy"] = strategy }
        return .object(members)
    }

    /// `POST /api/deployments/rollback`.
    static func rollback(deploymentId: String, reason: String) -> JSONValue {
        .object(["deploymentId": .string(deploymentId), "reason": .string(reason)])
    }

    /// `POST /api/deployments/:id/smoke-tests`: the environment's `gates.smokeTests` as written.
    static func smokeTests(_ tests: [SmokeTest]) throws -> JSONValue {
        let data = try JSONEncoder().encode(tests)
        return .object(["tests": try JSONDecoder().decode(JSONValue.self, from: data)])
    }
}
