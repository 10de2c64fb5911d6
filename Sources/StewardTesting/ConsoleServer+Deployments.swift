import Foundation
import Manifests

/// The deployment endpoints of the test console: create, poll, promote, rollback, smoke tests.
extension ConsoleState.Storage {
    /// `POST /api/deployments {versionId, environment, deployedBy, metadata}` → `{id, status: pending}`.
    mutating func createDeployment(_ body: JSONValue?) -> ConsoleAnswer {
        guard let versionId = body?["versionId"]?.string, let environment = body?["environment"]?.string else {
            return .error(400, "versionId and environment are required")
        }
        guard versions.contains(where: { $0.id == versionId }) else { return .error(404, "no version \(versionId)") }
        let record = start(versionId: versionId, environment: environment, metadata: body?["metadata"] ?? .object([:]))
        return .json(201, .object(["id": .string(record.id), "status": .string(record.status)]))
    }

    /// `GET /api/deployments/:id`: each poll counts; after `pollsUntilDeployed` polls a pending
    /// deployment ends `deployed` (or `failed` when its version is set to fail).
    mutating func poll(_ id: String) -> ConsoleAnswer {
        guard let index = deployments.firstIndex(where: { $0.id == id }) else { return .error(404, "no deployment \(id)") }
        deployments[index].polls += 1
        if deployments[index].status == "pending" && deployments[index].polls >= pollsUntilDeployed { finish(index) }
        return .json(200, json(deployments[index]))
    }

    /// `POST /api/deployments/:id/promote {promotedBy, targetEnvironment, strategy, metadata}`.
    mutating func promote(_ sourceId: String, _ body: JSONValue?) -> ConsoleAnswer {
        guard let source = deployments.first(where: { $0.id == sourceId }) else { return .error(404, "no deployment \(sourceId)") }
        guard source.status == "deployed" else { return .error(409, "deployment \(sourceId) is \(source.status), not deployed") }
        guard let target = body?["targetEnvironment"]?.string else { return .error(400, "targetEnvironment is required") }
        var record = start(versionId: source.versionId, environment: target, metadata: body?["metadata"] ?? source.metadata)
        record.promotedFrom = sourceId
        replace(record)
        return .json(201, .object(["id": .string(record.id), "status": .string(record.status)]))
    }

    /// `POST /api/deployments/rollback {deploymentId, reason}`: back to the deployment that ran before
    /// it (same environment and `stewardDeployment`); the current one becomes `rolled_back`.
    mutating func rollback(_ body: JSONValue?) -> ConsoleAnswer {
        guard let id = body?["deploymentId"]?.string else { return .error(400, "deploymentId is required") }
        guard let index = deployments.firstIndex(where: { $0.id == id }) else { return .error(404, "no deployment \(id)") }
        let current = deployments[index]
        guard let previous = deployments[..<index].last(where: {
            $0.environment == current.environment && $0.stewardDeployment == current.stewardDeployment
                && ($0.status == "superseded" || $0.status == "deployed")
        }) else {
            return .error(409, "deployment \(id) has no previous deployment to roll back to")
        }
        deployments[index].status = "rolled_back"
        var record = start(versionId: previous.versionId, environment: previous.environment, metadata: previous.metadata)
        record.rollbackOf = id
        record.reason = body?["reason"]?.string
        replace(record)
        return .json(201, .object(["id": .string(record.id), "status": .string(record.status)]))
    }

    /// `POST /api/deployments/:id/smoke-tests {tests}` → `{overallStatus, testResults}`.
    mutating func smokeTests(_ id: String, _ body: JSONValue?) -> ConsoleAnswer {
        guard let deployment = deployments.first(where: { $0.id == id }) else { return .error(404, "no deployment \(id)") }
        guard let tests = body?["tests"]?.array else { return .error(400, "tests must be a list") }
        let passed = smokeTestsPass[version(of: deployment) ?? ""] ?? true
        var results: [JSONValue] = tests.enumerated().map { index, test in
            let failed = !passed && index == 0
            return .object([
                "name": test["name"] ?? .string("test \(index + 1)"),
                "status": .string(failed ? "failed" : "passed"),
                "message": .string(failed ? "expected status \(test["expectedStatus"]?.number.map { Int($0) } ?? 200), got 503" : "ok"),
            ])
        }
        if results.isEmpty && !passed {
            results = [.object(["name": .string("deployment reachable"), "status": .string("failed"), "message": .string("no answer")])]
        }
        return .json(200, .object([
            "deploymentId": .string(id), "overallStatus": .string(passed ? "passed" : "failed"), "testResults": .array(results),
        ]))
    }

    /// Adds a pending deployment (or a finished one when no polls are needed).
    mutating func start(versionId: String, environment: String, metadata: JSONValue) -> ConsoleDeploymentRecord {
        let record = ConsoleDeploymentRecord(id: newId("dep"), versionId: versionId, environment: environment, status: "pending",
                                             metadata: metadata, createdAt: Date())
        deployments.append(record)
        if pollsUntilDeployed == 0 { finish(deployments.count - 1) }
        return deployments[deployments.count - 1]
    }

    mutating func replace(_ record: ConsoleDeploymentRecord) {
        if let index = deployments.firstIndex(where: { $0.id == record.id }) { deployments[index] = record }
    }

    /// Ends a pending deployment; a deployed one supersedes the earlier deployed ones of the same
    /// `stewardDeployment` in its environment.
    mutating func finish(_ index: Int) {
        let record = deployments[index]
        let version = version(of: record) ?? ""
        if deployOutcomes[version] == .failed {
            deployments[index].status = "failed"
            deployments[index].error = "simulated failure deploying version \(version)"
            return
        }
        deployments[index].status = "deployed"
        guard let name = record.stewardDeployment else { return }
        for other in deployments.indices where other != index {
            let candidate = deployments[other]
            if candidate.environment == record.environment && candidate.stewardDeployment == name && candidate.status == "deployed" {
                deployments[other].status = "superseded"
            }
        }
    }

    /// The blueprint version a deployment runs.
    func version(of record: ConsoleDeploymentRecord) -> String? {
        versions.first { $0.id == record.versionId }?.version ?? record.metadata["stewardVersion"]?.string
    }

    /// A deployment as the API shows it, with its health.
    func json(_ record: ConsoleDeploymentRecord) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(record.id), "versionId": .string(record.versionId), "environment": .string(record.environment),
            "status": .string(record.status), "metadata": record.metadata,
            "createdAt": .string(ISO8601DateFormatter().string(from: record.createdAt)),
            "health": health[record.stewardDeployment ?? ""]
                ?? .object(["status": .string("healthy"), "errorRate": .double(0.001), "responseTime": .int(120)]),
        ]
        if let version = version(of: record) { members["version"] = .string(version) }
        if let error = record.error { members["error"] = .string(error) }
        if let promotedFrom = record.promotedFrom { members["promotedFrom"] = .string(promotedFrom) }
        if let rollbackOf = record.rollbackOf { members["rollbackOf"] = .string(rollbackOf) }
        if let reason = record.reason { members["reason"] = .string(reason) }
        return .object(members)
    }
}
