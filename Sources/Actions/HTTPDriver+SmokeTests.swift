import Foundation
import Manifests
import Reconcile

/// `smokeTest` (DESIGN §5, §6 gates): run on the console against the Deployment's current deployment.
extension HTTPDriver {
    /// `POST /api/deployments/:id/smoke-tests {tests}` for the current console deployment of the
    /// request's Deployment; a failed run is a terminal error naming the first failed test.
    public func smokeTest(_ request: ActionRequest, tests: [SmokeTest]) async throws -> ActionOutcome {
        let name = request.action.key.name
        let list = try await deployments(environment: request.environment)
        guard let current = Self.current(of: name, in: list), current.status == ConsoleStatus.deployed else {
            throw DriverError("no deployed console deployment of \(name) in \(request.environment) to smoke-test", transient: false)
        }
        let body: JSONValue
        do {
            body = try ConsoleAPI.smokeTests(tests)
        } catch {
            throw DriverError("cannot encode the smoke tests of \(request.environment): \(error)", transient: false)
        }
        let response = try await call("POST", Self.deploymentPath(current.id) + "/smoke-tests", body: body,
                                      idempotencyKey: request.idempotencyKey)
        let report = try response.decode(ConsoleAPI.SmokeTestReport.self, what: "smoke test report")
        let results = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?["testResults"]
        let count = report.testResults?.count ?? tests.count
        guard report.overallStatus.lowercased() == "passed" else {
            let failed = report.testResults?.first { ($0.status ?? "").lowercased() == "failed" }
            let which = failed.map { "smoke test \"\($0.name ?? "unnamed")\" failed" + ($0.message.map { ": \($0)" } ?? "") }
                ?? "smoke tests \(report.overallStatus)"
            throw DriverError("\(which) for \(name) in \(request.environment) (console deployment \(current.id))", transient: false)
        }
        return ActionOutcome(message: "\(count) smoke test\(count == 1 ? "" : "s") passed for \(name) in \(request.environment)",
                             targetId: current.id, data: results)
    }
}
