import Foundation
import Manifests

/// The deployment endpoints of the test console (DevOps guide, "API-Driven Deployment Workflow"
/// and "Rollback Procedures"; DESIGN §5's `DELETE`).
extension ConsoleState.Storage {
    /// `POST /api/deployments {versionId, environment, deployedBy, metadata}` →
    /// `{id, versionId, environment, status: pending, createdAt, deployedBy}`.
    mutating func createDeployment(_ body: JSONValue?) -> ConsoleAnswer {
        guard let versionId = body?["versionId"]?.string, let environment = body?["environment"]?.string else {
            return .error(400, "versionId and environment are required")
        }
        guard versions.contains(where: { $0.id == versionId }) else { return .error(404, "no version \(versionId)") }
        let metadata = body?["metadata"] ?? .object([:])
        let record = start(versionId: versionId, environment: environment, metadata: metadata, strategy: metadata["strategy"],
                           createdBy: body?["deployedBy"]?.string)
        return .json(201, .object([
            "id": .string(record.id), "versionId": .string(versionId), "environment": .string(environment),
            "status": .string(record.status), "createdAt": .string(consoleTime(record.createdAt)),
            "deployedBy": record.createdBy.map(JSONValue.string) ?? .null,
        ]))
    }

    /// `GET /api/deployments?environment=ENV`: a JSON array, newest first (the guide's rollback
    /// script takes `.[0]` as the current deployment).
    func list(environment: String?) -> ConsoleAnswer {
        .json(200, .array(deployments.reversed().filter { environment == nil || $0.environment == environment }.map(json)))
    }

    /// `GET /api/deployments/:id`: each poll counts; after `pollsUntilDeployed` polls a pending
    /// deployment ends `deployed` (or `failed` when its version is set to fail).
    mutating func poll(_ id: String) -> ConsoleAnswer {
        guard let index = deployments.firstIndex(where: { $0.id == id }) else { return .error(404, "no deployment \(id)") }
        deployments[index].polls += 1
        if deployments[index].status == "pending" && deployments[index].polls >= pollsUntilDeployed { finish(index) }
        return .json(200, json(deployments[index]))
    }

    /// `DELETE /api/deployments/:id` (DESIGN §5, undeploy).
    mutating func deleteDeployment(_ id: String) -> ConsoleAnswer {
        guard let index = deployments.firstIndex(where: { $0.id == id }) else { return .error(404, "no deployment \(id)") }
        deployments.remove(at: index)
        return .noContent
    }

    /// `POST /api/deployments/:id/promote {promotedBy, targetEnvironment, strategy, metadata}` →
    /// `{id, sourceDeploymentId, environment, status, strategy, createdAt, promotedBy}`.
    mutating func promote(_ sourceId: String, _ body: JSONValue?) -> ConsoleAnswer {
        guard let source = deployments.first(where: { $0.id == sourceId }) else { return .error(404, "no deployment \(sourceId)") }
        guard source.status == "deployed" else { return .error(409, "deployment \(sourceId) is \(source.status), not deployed") }
        guard let target = body?["targetEnvironment"]?.string else { return .error(400, "targetEnvironment is required") }
        var record = start(versionId: source.versionId, environment: target, metadata: body?["metadata"] ?? source.metadata,
                           strategy: body?["strategy"], createdBy: body?["promotedBy"]?.string)
        record.promotedFrom = sourceId
        replace(record)
        return .json(201, .object([
            "id": .string(record.id), "sourceDeploymentId": .string(sourceId), "environment": .string(target),
            "status": .string(record.status), "strategy": record.strategy ?? .null, "createdAt": .string(consoleTime(record.createdAt)),
            "promotedBy": record.createdBy.map(JSONValue.string) ?? .null,
        ]))
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
        var record = start(versionId: previous.versionId, environment: previous.environment, metadata: previous.metadata,
                           strategy: previous.strategy, createdBy: nil)
        record.rollbackOf = id
        record.reason = body?["reason"]?.string
        replace(record)
        return .json(201, json(record))
    }

    /// `POST /api/deployments/:id/smoke-tests {tests}` →
    /// `{deploymentId, testResults: [{name, status, duration}], overallStatus, passedTests, failedTests, totalTests}`.
    func smokeTests(_ id: String, _ body: JSONValue?) -> ConsoleAnswer {
        guard let deployment = deployments.first(where: { $0.id == id }) else { return .error(404, "no deployment \(id)") }
        guard let tests = body?["tests"]?.array else { return .error(400, "tests must be a list") }
        let passed = smokeTestsPass[version(of: deployment) ?? ""] ?? true
        var results: [JSONValue] = tests.enumerated().map { index, test in
            let failed = !passed && index == 0
            var result: [String: JSONValue] = [
                "name": test["name"] ?? .string("test \(index + 1)"), "status": .string(failed ? "failed" : "passed"), "duration": .int(50),
            ]
            if failed { result["message"] = .string("expected status \(test["expectedStatus"]?.number.map { Int($0) } ?? 200), got 503") }
            return .object(result)
        }
        if results.isEmpty && !passed {
            results = [.object(["name": .string("deployment reachable"), "status": .string("failed"), "duration": .int(0),
                                "message": .string("no answer")])]
        }
        let failures = results.filter { $0["status"] == .string("failed") }.count
        return .json(200, .object([
            "deploymentId": .string(id), "testResults": .array(results), "overallStatus": .string(failures == 0 ? "passed" : "failed"),
            "passedTests": .int(results.count - failures), "failedTests": .int(failures), "totalTests": .int(results.count),
        ]))
    }

    /// Adds a pending deployment (or a finished one when no polls are needed).
    mutating func start(versionId: String, environment: String, metadata: JSONValue, strategy: JSONValue?,
                        createdBy: String?) -> ConsoleDeploymentRecord {
        var record = ConsoleDeploymentRecord(id: newId("dep"), versionId: versionId, environment: environment, status: "pending",
                                             metadata: metadata, createdAt: Date())
        record.strategy = strategy
        record.createdBy = createdBy
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
        deployments[index].deployedAt = Date()
        guard let name = record.stewardDeployment else { return }
        for other in deployments.indices where other != index {
            let candidate = deployments[other]
            if candidate.environment == record.environment && candidate.stewardDeployment == name && candidate.status == "deployed" {
                deployments[other].status = "superseded"
            }
        }
    }

    /// The version a deployment runs (`version` of its registered version).
    func version(of record: ConsoleDeploymentRecord) -> String? {
        versions.first { $0.id == record.versionId }?.version
    }

    /// A deployment as `GET /api/deployments/:id` shows it, with its metadata (DESIGN §5) and health.
    func json(_ record: ConsoleDeploymentRecord) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(record.id), "versionId": .string(record.versionId), "environment": .string(record.environment),
            "status": .string(record.status), "metadata": record.metadata, "createdAt": .string(consoleTime(record.createdAt)),
            "health": health[record.stewardDeployment ?? ""] ?? .object([
                "status": .string("healthy"), "errorRate": .double(0.001), "responseTime": .int(120),
                "lastChecked": .string(consoleTime(Date())),
            ]),
        ]
        if let strategy = record.strategy { members["strategy"] = strategy }
        if let deployedAt = record.deployedAt { members["deployedAt"] = .string(consoleTime(deployedAt)) }
        if let error = record.error { members["error"] = .string(error) }
        return .object(members)
    }
}
