import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Actions

/// Smoke tests, rollback, promote, undeploy and adapters on the console (DESIGN §5, §6).
extension HTTPDriverTests {
    @Test func smokeTestsRunAgainstTheCurrentDeploymentAndPass() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let deployed = try await deploy(["1.2.0"], with: driver)
            let request = deployment(.smokeTest, "1.2.0")
            let outcome = try await driver.smokeTest(request, tests: try smokeTests())

            let call = try #require(console.calls("POST", "/api/deployments/\(deployed[0])/smoke-tests").first)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            let tests = try #require(call.body?["tests"]?.array)
            #expect(tests.map { $0["name"] } == [.string("API Health Check"), .string("Basic Workflow Execution")])
            #expect(tests[0]["endpoint"] == .string("/health"))
            #expect(tests[0]["expectedStatus"] == .int(200))
            #expect(tests[1]["workflowId"] == .string("my-workflow"))
            #expect(outcome.targetId == deployed[0])
            #expect(outcome.data?.array?.count == 2)
        }
    }

    @Test func failingSmokeTestsAreTerminalAndNameTheFirstFailedTest() async throws {
        try await withConsole { console, ids in
            console.setSmokeTests(version: "1.2.0", passed: false)
            let driver = driver(console, ids)
            _ = try await deploy(["1.2.0"], with: driver)
            let error = try await driverError { _ = try await driver.smokeTest(deployment(.smokeTest, "1.2.0"), tests: try smokeTests()) }
            #expect(!error.isTransient)
            #expect(error.message.contains("smoke test \"API Health Check\" failed"))
        }
    }

    @Test func executeSmokeTestWithoutTestsSendsAnEmptyList() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let deployed = try await deploy(["1.2.0"], with: driver)
            _ = try await driver.execute(deployment(.smokeTest, "1.2.0"))
            #expect(console.calls("POST", "/api/deployments/\(deployed[0])/smoke-tests").first?.body == .object(["tests": .array([])]))
        }
    }

    @Test func smokeTestsWithoutADeploymentAreTerminal() async throws {
        try await withConsole { console, ids in
            let error = try await driverError { _ = try await driver(console, ids).execute(deployment(.smokeTest, "1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("no deployed console deployment of robot-nav-staging"))
        }
    }

    @Test func rollbackToThePreviousVersionUsesTheConsoleRollback() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let deployed = try await deploy(["1.0.0", "1.1.0"], with: driver)
            let request = deployment(.rollback, "1.0.0")
            let outcome = try await driver.execute(request)

            let call = try #require(console.calls("POST", "/api/deployments/rollback").first)
            #expect(call.body == .object(["deploymentId": .string(deployed[1]), "reason": .string("rollback to 1.0.0")]))
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            let id = try #require(outcome.targetId)
            #expect(console.calls("GET", "/api/deployments/\(id)").count == 1)
            #expect(console.deployments().map(\.status) == ["superseded", "rolled_back", "deployed"])
            #expect(console.calls("POST", "/api/deployments").count == 2)
            let recorded = try await ids.consoleIds(console: console.baseURL.absoluteString).first { $0.kind == .deployment }
            #expect(recorded?.id == id, "the rollback's deployment is the one recorded for robot-nav-staging")
            let probed = try await driver.probe(environment: "staging", applied: [applied("robot-nav-staging", version: "1.0.0")])
            #expect(probed.values.first?.state == .inSync)
            #expect(try await driver.hasEffect(request))
        }
    }

    @Test func rollbackToAnOlderVersionDeploysThatVersion() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            _ = try await deploy(["1.0.0", "1.1.0", "1.2.0"], with: driver)
            let outcome = try await driver.execute(deployment(.rollback, "1.0.0"))

            #expect(console.calls("POST", "/api/deployments/rollback").isEmpty)
            let posts = console.calls("POST", "/api/deployments")
            #expect(posts.count == 4)
            let version = try #require(console.versions.first { $0.version == "1.0.0" })
            #expect(posts.last?.body?["versionId"] == .string(version.id))
            #expect(outcome.message.contains("rolled back"))
            #expect(console.deployments().last?.status == "deployed")
        }
    }

    @Test func promoteUsesTheSourceDeploymentOfTheSameVersion() async throws {
        try await withConsole { console, ids in
            let staging = driver(console, ids)
            let deployed = try await deploy(["1.2.0"], with: staging)
            let production = driver(console, ids, environment: "production")
            _ = try await production.execute(register("1.2.0", environment: "production"))
            let request = deployment(.promote, "1.2.0", name: "robot-nav-production", environment: "production")
            let outcome = try await production.promote(request, sourceEnvironment: "staging")

            let call = try #require(console.calls("POST", "/api/deployments/\(deployed[0])/promote").first)
            let body = try #require(call.body)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            #expect(body["promotedBy"] == .string("steward"))
            #expect(body["targetEnvironment"] == .string("production"))
            #expect(body["strategy"] == .object(["type": .string("rolling")]))
            #expect(body["metadata"]?["stewardDeployment"] == .string("robot-nav-production"))
            #expect(body["metadata"]?["stewardKey"] == .string(request.idempotencyKey))
            #expect(body["metadata"]?["gitCommit"] == .string(Self.commit))
            let promoted = try #require(console.deployments(environment: "production").first)
            #expect(promoted.promotedFrom == deployed[0])
            #expect(promoted.status == "deployed")
            #expect(outcome.targetId == promoted.id)
            #expect(console.calls("POST", "/api/deployments").count == 1)
        }
    }

    @Test func promoteWithoutASourceDeploymentDeploys() async throws {
        try await withConsole { console, ids in
            let production = driver(console, ids, environment: "production")
            _ = try await production.execute(register("1.2.0", environment: "production"))
            let request = deployment(.promote, "1.2.0", name: "robot-nav-production", environment: "production")
            _ = try await production.promote(request, sourceEnvironment: "staging")
            #expect(console.calls.filter { $0.path.hasSuffix("/promote") }.isEmpty)
            #expect(console.calls("POST", "/api/deployments").first?.body?["environment"] == .string("production"))
            #expect(console.deployments(environment: "production").map(\.status) == ["deployed"])
        }
    }

    @Test func undeployDeletesTheConsoleDeployment() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let deployed = try await deploy(["1.2.0"], with: driver)
            let request = deployment(.undeploy, "1.2.0")
            #expect(try await driver.hasEffect(request) == false)
            _ = try await driver.execute(request)
            let call = try #require(console.calls("DELETE", "/api/deployments/\(deployed[0])").first)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            #expect(console.deployments().isEmpty)
            #expect(try await driver.hasEffect(request))
        }
    }

    @Test func adaptersArePutAndDeletedAndTheirEffectIsNeverGuessed() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let configure = adapter(.configureAdapter)
            _ = try await driver.execute(configure)
            let put = try #require(console.calls("PUT", "/api/runtime-adapters/robotics-main").first)
            #expect(put.body == configure.action.document["spec"])
            #expect(put.header("Idempotency-Key") == configure.idempotencyKey)
            // No documented endpoint shows an adapter's configuration: PUT is idempotent, so it is sent again.
            console.clearCalls()
            #expect(try await driver.hasEffect(configure) == false)
            #expect(console.calls.isEmpty)

            let key = ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging")
            console.setAdapterHealth(name: "robotics-main", healthy: false)
            let probed = try await driver.probe(environment: "staging", applied: [applied("robotics-main", version: "", kind: .runtimeAdapter)])
            #expect(probed[key] == ProbeResult(state: .inSync, health: .degraded, message: "runtime adapter robotics-main is unhealthy"))

            let remove = adapter(.removeAdapter)
            _ = try await driver.execute(remove)
            #expect(console.calls("DELETE", "/api/runtime-adapters/robotics-main").count == 1)
            #expect(console.adapters.isEmpty)
            #expect(try await driver.hasEffect(remove) == false)
            let again = try await driver.execute(remove)  // DELETE of an adapter already gone: 404, still done
            #expect(again.message.contains("already absent"))
            let after = try await driver.probe(environment: "staging", applied: [applied("robotics-main", version: "", kind: .runtimeAdapter)])
            #expect(after[key]?.state == .missing)
        }
    }
}
