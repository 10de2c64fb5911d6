import Foundation
import Manifests
import Reconcile

/// `smokeTest` (DESIGN §5, §6 gates): run on the console against the Deployment's current deployment.
extension HTTPDriver {
    /// `POST /api/deployments/:id/smoke-tests {tests}` for the current console deployment of the
    /// request's Deployment; a failed run, or a report that says neither passed nor failed, is a
    /// terminal error naming the first failed test.
    public func smokeTest(_ request: ActionRequest, tests: [SmokeTest]) async throws -> ActionOutcome {
        let name = request.action.key.name
        let knownId = try await book().deploymentId(environment: request.environment, deployment: name)
        let list = try await deployments(environment: request.environment)
        guard let current = list.current(of: name, knownId: knownId), current.status == ConsoleStatus.deployed else {
            throw DriverError("no deployed console deployment of \(name) in \(request.environment) to smoke-test", transient: false)
        }
        let body: JSONValue
        do {
            body = try ConsoleAPI.smokeTests(tests)
        } catch {
            throw DriverError("cannot encode the smoke tests of \(request.environment): \(error)", transient: false)
        }
        let path = Self.deploymentPath(current.id) + "/smoke-tests"
        let response = try await call(.POST, path, body: body, idempotencyKey: request.idempotencyKey)
        let json = try response.json(what: "a smoke test report")
        guard let report = ConsoleAPI.SmokeTestReport(json) else {
            throw DriverError("console POST \(path) answered a smoke test report with no overallStatus: \(ConsoleAPI.quote(json))",
                              transient: false)
        }
        let count = report.testResults.isEmpty ? tests.count : report.testResults.count
        guard report.overallStatus.lowercased() == "passed" else {
            let failed = report.testResults.first { $0.failed }
            let which = failed.map { "smoke test \"\($0.name ?? "unnamed")\" failed" + ($0.message.map { ": \($0)" } ?? "") }
                ?? "smoke tests \(report.overallStatus)"
            throw DriverError("\(which) for \(name) in \(request.environment) (console deployment \(current.id))", transient: false)
        }
        return ActionOutcome(message: "\(count) smoke test\(count == 1 ? "" : "s") passed for \(name) in \(request.environment)",
                             targetId: current.id, data: json["testResults"])
    }
}
