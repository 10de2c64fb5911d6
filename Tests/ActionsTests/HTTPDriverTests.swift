import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing
@testable import Actions

/// The `http` driver against a real console server on loopback (DESIGN §5 mapping table).
@Suite struct HTTPDriverTests {
    static let token = "console-token-7f3a9c"
    static let commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

    // MARK: Fixtures

    /// Starts a console, runs `body`, and always stops the console.
    func withConsole(token: String? = HTTPDriverTests.token, polls: Int = 1,
                     _ body: (ConsoleServer) async throws -> Void) async throws {
        let console = try await ConsoleServer.start(token: token, pollsUntilDeployed: polls)
        do {
            try await body(console)
        } catch {
            await console.stop()
            throw error
        }
        await console.stop()
    }

    func driver(_ console: ConsoleServer, environment: String = "staging", token: String? = HTTPDriverTests.token,
                requestTimeout: Double = 60, deployTimeout: Double = 90, retries: Int = 3) -> HTTPDriver {
        HTTPDriver(baseURL: console.baseURL, token: token, environment: environment, requestTimeout: requestTimeout,
                   pollInterval: 0.02, deployTimeout: deployTimeout, retries: retries, initialBackoff: 0.01)
    }

    func request(_ action: PlannedAction, environment: String = "staging") -> ActionRequest {
        ActionRequest(action: action, environment: environment, idempotencyKey: action.idempotencyKey,
                      strategy: .object(["type": .string("rolling")]))
    }

    func register(_ version: String, goal: String = "Navigate robot to target location", environment: String = "staging") -> ActionRequest {
        let document: JSONValue = .object([
            "apiVersion": .string("steward/v1"), "kind": .string("AgentBlueprint"),
            "metadata": .object(["name": .string("robot-nav")]),
            "spec": .object([
                "version": .string(version), "displayName": .string("Robot Navigation Agent"), "goal": .string(goal),
                "deploymentTarget": .string("robotics"),
                "requiredCapabilities": .array([.string("perception"), .string("camera")]),
                "config": .object(["prompt": .string("You are a navigation agent"), "temperature": .double(0.7)]),
            ]),
        ])
        let key = ResourceKey(kind: .agentBlueprint, name: "robot-nav@\(version)", environment: environment)
        return request(PlannedAction(kind: .registerVersion, key: key, change: .create, document: document,
                                     specHash: "spec-\(version)-\(goal.count)", version: version, commit: Self.commit,
                                     trigger: Self.commit, reason: "new blueprint version"), environment: environment)
    }

    func deployment(_ kind: ActionKind, _ version: String, name: String = "robot-nav-staging",
                    environment: String = "staging") -> ActionRequest {
        let document: JSONValue = .object([
            "apiVersion": .string("steward/v1"), "kind": .string("Deployment"),
            "metadata": .object(["name": .string(name)]),
            "spec": .object(["blueprint": .string("robot-nav"), "version": .string(version), "environment": .string(environment)]),
        ])
        let key = ResourceKey(kind: .deployment, name: name, environment: environment)
        return request(PlannedAction(kind: kind, key: key, change: kind == .rollback ? .rollback : .update, document: document,
                                     specHash: "dep-\(version)", version: version, commit: Self.commit, trigger: Self.commit,
                                     reason: "\(kind.rawValue) to \(version)"), environment: environment)
    }

    func adapter(_ kind: ActionKind, environment: String = "staging") -> ActionRequest {
        let document: JSONValue = kind == .removeAdapter ? .null : .object([
            "apiVersion": .string("steward/v1"), "kind": .string("RuntimeAdapter"),
            "metadata": .object(["name": .string("robotics-main")]),
            "spec": .object(["runtimeType": .string("robotics"), "enabled": .bool(true),
                             "capabilities": .object(["realTime": .bool(true)])]),
        ])
        let key = ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: environment)
        return request(PlannedAction(kind: kind, key: key, change: kind == .removeAdapter ? .prune : .create, document: document,
                                     specHash: "adapter", version: nil, commit: Self.commit, trigger: Self.commit,
                                     reason: "adapter"), environment: environment)
    }

    func applied(_ name: String, version: String, kind: ResourceKind = .deployment, environment: String = "staging") -> AppliedResource {
        AppliedResource(key: ResourceKey(kind: kind, name: name, environment: environment), specHash: "h",
                        spec: .object(["spec": .object(["version": .string(version)])]), commit: Self.commit, version: version,
                        createdAt: Date(), updatedAt: Date())
    }

    func smokeTests() throws -> [SmokeTest] {
        let json = """
        [{"name": "API Health Check", "endpoint": "/health", "expectedStatus": 200},
         {"name": "Basic Workflow Execution", "workflowId": "my-workflow", "expectedOutcome": "success"}]
        """
        return try JSONDecoder().decode([SmokeTest].self, from: Data(json.utf8))
    }

    /// Runs `body`, expecting a `DriverError`, and returns it.
    func driverError(_ body: () async throws -> Void) async throws -> DriverError {
        do {
            try await body()
        } catch let error as DriverError {
            return error
        }
        Issue.record("expected a DriverError")
        return DriverError("none", transient: false)
    }

    // MARK: registerVersion

    @Test func registerVersionPostsTheWorkflowSpecWithHeaders() async throws {
        try await withConsole { console in
            let request = register("1.2.0")
            let outcome = try await driver(console).execute(request)

            let call = try #require(console.calls("POST", "/api/deployments/versions").first)
            #expect(call.header("Authorization") == "Bearer \(Self.token)")
            #expect(call.header("Content-Type") == "application/json")
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            let body = try #require(call.body)
            #expect(body["workflowSpec"]?["id"] == .string("robot-nav@1.2.0"))
            #expect(body["workflowSpec"]?["name"] == .string("robot-nav"))
            #expect(body["workflowSpec"]?["version"] == .string("1.2.0"))
            #expect(body["workflowSpec"]?["goal"] == .string("Navigate robot to target location"))
            #expect(body["workflowSpec"]?["deploymentTarget"] == .string("robotics"))
            #expect(body["workflowSpec"]?["config"]?["temperature"] == .double(0.7))
            #expect(body["version"] == .string("1.2.0"))
            #expect(body["createdBy"] == .string("steward"))
            #expect(body["metadata"]?["gitCommit"] == .string(Self.commit))
            #expect(body["metadata"]?["stewardKey"] == .string(request.idempotencyKey))
            #expect(outcome.targetId == console.versions.first?.id)
            #expect(try await driver(console).hasEffect(request))
            #expect(try await driver(console).hasEffect(register("9.9.9")) == false)
        }
    }

    @Test func registeringTheSameContentAgainCountsAsSuccess() async throws {
        try await withConsole { console in
            let first = try await driver(console).execute(register("1.2.0"))
            let second = try await driver(console).execute(register("1.2.0"))
            #expect(console.calls("POST", "/api/deployments/versions").count == 2)
            #expect(second.targetId == first.targetId)
            #expect(second.message.contains("already registered with the same content"))
            #expect(console.versions.count == 1)
        }
    }

    @Test func registeringDifferentContentUnderTheSameVersionIsTerminal() async throws {
        try await withConsole { console in
            _ = try await driver(console).execute(register("1.2.0"))
            let error = try await driverError { _ = try await driver(console).execute(register("1.2.0", goal: "Something else")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("version robot-nav@1.2.0 already registered with different content"))
            #expect(console.calls("POST", "/api/deployments/versions").count == 2)
        }
    }

    // MARK: deploy

    @Test func deployPostsTheDeploymentAndPollsUntilDeployed() async throws {
        try await withConsole(polls: 3) { console in
            let driver = driver(console)
            _ = try await driver.execute(register("1.2.0"))
            let request = deployment(.deploy, "1.2.0")
            let outcome = try await driver.execute(request)

            let call = try #require(console.calls("POST", "/api/deployments").first)
            let body = try #require(call.body)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            #expect(call.header("Authorization") == "Bearer \(Self.token)")
            #expect(body["versionId"] == .string(console.versions[0].id))
            #expect(body["environment"] == .string("staging"))
            #expect(body["deployedBy"] == .string("steward"))
            #expect(body["metadata"]?["stewardDeployment"] == .string("robot-nav-staging"))
            #expect(body["metadata"]?["stewardKey"] == .string(request.idempotencyKey))
            #expect(body["metadata"]?["stewardVersion"] == .string("1.2.0"))
            #expect(body["metadata"]?["gitCommit"] == .string(Self.commit))
            #expect(body["metadata"]?["strategy"] == .object(["type": .string("rolling")]))

            let id = try #require(outcome.targetId)
            #expect(console.calls("GET", "/api/deployments/\(id)").count == 3)
            #expect(console.deployments(environment: "staging").map(\.status) == ["deployed"])
            #expect(try await driver.hasEffect(request))
            #expect(try await driver.hasEffect(deployment(.deploy, "1.3.0")) == false)
        }
    }

    @Test func deployLearnsTheVersionIdFromTheConsole() async throws {
        try await withConsole { console in
            _ = try await driver(console).execute(register("1.2.0"))
            let fresh = driver(console)
            _ = try await fresh.execute(deployment(.deploy, "1.2.0"))
            let lookup = try #require(console.calls("GET", "/api/deployments/versions").first)
            #expect(lookup.query["name"] == "robot-nav")
            #expect(console.calls("POST", "/api/deployments").first?.body?["versionId"] == .string(console.versions[0].id))
        }
    }

    @Test func aDeployOfAnUnregisteredVersionIsTerminal() async throws {
        try await withConsole { console in
            let error = try await driverError { _ = try await driver(console).execute(deployment(.deploy, "4.0.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("robot-nav@4.0.0 is not registered"))
            #expect(console.calls("POST", "/api/deployments").isEmpty)
        }
    }

    @Test func aDeployEndingFailedIsTerminal() async throws {
        try await withConsole(polls: 2) { console in
            console.setDeployOutcome(version: "1.2.0", .failed)
            let driver = driver(console)
            _ = try await driver.execute(register("1.2.0"))
            let error = try await driverError { _ = try await driver.execute(deployment(.deploy, "1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("failed"))
            #expect(error.message.contains("simulated failure deploying version 1.2.0"))
        }
    }

    @Test func aDeployThatNeverFinishesIsTransientAfterTheDeployTimeout() async throws {
        try await withConsole(polls: 1_000_000) { console in
            let driver = HTTPDriver(baseURL: console.baseURL, token: Self.token, environment: "staging", pollInterval: 0.05,
                                    deployTimeout: 0.4, initialBackoff: 0.01)
            _ = try await driver.execute(register("1.2.0"))
            let error = try await driverError { _ = try await driver.execute(deployment(.deploy, "1.2.0")) }
            #expect(error.isTransient)
            #expect(error.message.contains("still pending"))
        }
    }

    // MARK: retries, errors, secrets

    @Test func serverErrorsAreRetriedThenSucceed() async throws {
        try await withConsole { console in
            let driver = driver(console)
            _ = try await driver.execute(register("1.2.0"))
            console.clearCalls()
            console.failNext(2, status: 500)
            let outcome = try await driver.execute(deployment(.deploy, "1.2.0"))
            #expect(outcome.targetId != nil)
            #expect(console.calls("POST", "/api/deployments").count == 3)
            #expect(console.deployments().count == 1)
        }
    }

    @Test func serverErrorsForeverEndTransientAfterBoundedRetries() async throws {
        try await withConsole { console in
            console.failNext(100, status: 503)
            let error = try await driverError { _ = try await driver(console, retries: 2).execute(register("1.2.0")) }
            #expect(error.isTransient)
            #expect(error.message.contains("after 3 attempts"))
            #expect(error.message.contains("503"))
            #expect(console.calls.count == 3)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await withConsole { console in
            console.failNext(5, status: 422)
            let error = try await driverError { _ = try await driver(console).execute(register("1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("422"))
            #expect(console.calls.count == 1)
        }
    }

    @Test func aWrongTokenIsTerminalAndTheTokenStaysSecret() async throws {
        try await withConsole { console in
            let wrong = "wrong-token-d41d8cd98f00"
            let driver = driver(console, token: wrong)
            let error = try await driverError { _ = try await driver.execute(register("1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("401"))
            #expect(!error.message.contains(wrong))
            #expect(!error.message.contains(Self.token))
            #expect(!"\(driver)".contains(wrong))
            #expect(console.calls.count == 1)
            #expect(console.calls.first?.header("Authorization") == "Bearer \(wrong)")
            await #expect(throws: DriverError.self) { try await driver.ping() }
        }
    }

    @Test func noTokenSendsNoAuthorizationHeader() async throws {
        try await withConsole(token: nil) { console in
            try await driver(console, token: nil).ping()
            let call = try #require(console.calls("GET", "/health").first)
            #expect(call.header("Authorization") == nil)
        }
    }

    @Test func aRequestTimeoutIsTransient() async throws {
        try await withConsole { console in
            console.delay(seconds: 30)
            let started = ContinuousClock.now
            let error = try await driverError { try await driver(console, requestTimeout: 0.4, retries: 1).ping() }
            let elapsed = ContinuousClock.now - started
            #expect(error.isTransient)
            #expect(error.message.contains("failed after 2 attempts: timed out after 0.4s"))
            #expect(elapsed >= .seconds(0.8))
            #expect(elapsed < .seconds(20))  // the console answers only after 30 s: ending sooner proves the timeout
            console.delay(seconds: 0.3)
            try await driver(console, requestTimeout: 30, retries: 0).ping()  // slower than 0.4 s, within a generous bound
            console.delay(seconds: 0)
        }
    }

    @Test func anUnreachableConsoleIsTransient() async throws {
        // A port nothing listens on, held so that no other test's server takes it meanwhile.
        let (socket, port) = try refusingSocket()
        defer { close(socket) }
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let driver = HTTPDriver(baseURL: url, token: Self.token, environment: "staging", requestTimeout: 2, retries: 1,
                                initialBackoff: 0.01)
        let error = try await driverError { try await driver.ping() }
        #expect(error.isTransient)
        #expect(!error.message.contains(Self.token))
    }

    @Test func pathsAreAppendedToTheBaseURLPath() throws {
        let driver = HTTPDriver(baseURL: URL(string: "https://console.example.com/tenant-a/")!, token: nil, environment: "staging")
        let request = try driver.urlRequest("GET", "/api/deployments", query: [URLQueryItem(name: "environment", value: "a b")],
                                            body: nil, idempotencyKey: nil)
        #expect(request.url?.absoluteString == "https://console.example.com/tenant-a/api/deployments?environment=a%20b")
    }
}

// MARK: - Smoke tests, rollback, promote, undeploy, adapters

extension HTTPDriverTests {
    /// Registers and deploys each version in turn; returns the console deployment ids.
    func deploy(_ versions: [String], with driver: HTTPDriver, name: String = "robot-nav-staging",
                environment: String = "staging") async throws -> [String] {
        var ids: [String] = []
        for version in versions {
            _ = try await driver.execute(register(version, environment: environment))
            let outcome = try await driver.execute(deployment(.deploy, version, name: name, environment: environment))
            ids.append(try #require(outcome.targetId))
        }
        return ids
    }

    @Test func smokeTestsRunAgainstTheCurrentDeploymentAndPass() async throws {
        try await withConsole { console in
            let driver = driver(console)
            let ids = try await deploy(["1.2.0"], with: driver)
            let request = deployment(.smokeTest, "1.2.0")
            let outcome = try await driver.smokeTest(request, tests: try smokeTests())

            let call = try #require(console.calls("POST", "/api/deployments/\(ids[0])/smoke-tests").first)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            let tests = try #require(call.body?["tests"]?.array)
            #expect(tests.map { $0["name"] } == [.string("API Health Check"), .string("Basic Workflow Execution")])
            #expect(tests[0]["endpoint"] == .string("/health"))
            #expect(tests[0]["expectedStatus"] == .int(200))
            #expect(tests[1]["workflowId"] == .string("my-workflow"))
            #expect(outcome.targetId == ids[0])
            #expect(outcome.data?.array?.count == 2)
        }
    }

    @Test func failingSmokeTestsAreTerminalAndNameTheFirstFailedTest() async throws {
        try await withConsole { console in
            console.setSmokeTests(version: "1.2.0", passed: false)
            let driver = driver(console)
            _ = try await deploy(["1.2.0"], with: driver)
            let error = try await driverError { _ = try await driver.smokeTest(deployment(.smokeTest, "1.2.0"), tests: try smokeTests()) }
            #expect(!error.isTransient)
            #expect(error.message.contains("smoke test \"API Health Check\" failed"))
        }
    }

    @Test func executeSmokeTestWithoutTestsSendsAnEmptyList() async throws {
        try await withConsole { console in
            let driver = driver(console)
            let ids = try await deploy(["1.2.0"], with: driver)
            _ = try await driver.execute(deployment(.smokeTest, "1.2.0"))
            #expect(console.calls("POST", "/api/deployments/\(ids[0])/smoke-tests").first?.body == .object(["tests": .array([])]))
        }
    }

    @Test func smokeTestsWithoutADeploymentAreTerminal() async throws {
        try await withConsole { console in
            let error = try await driverError { _ = try await driver(console).execute(deployment(.smokeTest, "1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("no deployed console deployment of robot-nav-staging"))
        }
    }

    @Test func rollbackToThePreviousVersionUsesTheConsoleRollback() async throws {
        try await withConsole { console in
            let driver = driver(console)
            let ids = try await deploy(["1.0.0", "1.1.0"], with: driver)
            let request = deployment(.rollback, "1.0.0")
            let outcome = try await driver.execute(request)

            let call = try #require(console.calls("POST", "/api/deployments/rollback").first)
            #expect(call.body == .object(["deploymentId": .string(ids[1]), "reason": .string("rollback to 1.0.0")]))
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            let id = try #require(outcome.targetId)
            #expect(console.calls("GET", "/api/deployments/\(id)").count == 1)
            #expect(console.deployments().map(\.status) == ["superseded", "rolled_back", "deployed"])
            #expect(console.calls("POST", "/api/deployments").count == 2)
            let probed = try await driver.probe(environment: "staging", applied: [applied("robot-nav-staging", version: "1.0.0")])
            #expect(probed.values.first?.state == .inSync)
            #expect(try await driver.hasEffect(request))
        }
    }

    @Test func rollbackToAnOlderVersionDeploysThatVersion() async throws {
        try await withConsole { console in
            let driver = driver(console)
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
        try await withConsole { console in
            let staging = driver(console)
            let ids = try await deploy(["1.2.0"], with: staging)
            let production = driver(console, environment: "production")
            _ = try await production.execute(register("1.2.0", environment: "production"))
            let request = deployment(.promote, "1.2.0", name: "robot-nav-production", environment: "production")
            let outcome = try await production.promote(request, sourceEnvironment: "staging")

            let call = try #require(console.calls("POST", "/api/deployments/\(ids[0])/promote").first)
            let body = try #require(call.body)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            #expect(body["promotedBy"] == .string("steward"))
            #expect(body["targetEnvironment"] == .string("production"))
            #expect(body["strategy"] == .object(["type": .string("rolling")]))
            #expect(body["metadata"]?["stewardDeployment"] == .string("robot-nav-production"))
            #expect(body["metadata"]?["stewardKey"] == .string(request.idempotencyKey))
            #expect(body["metadata"]?["gitCommit"] == .string(Self.commit))
            #expect(body["metadata"]?["stewardVersion"] == .string("1.2.0"))
            let promoted = try #require(console.deployments(environment: "production").first)
            #expect(promoted.promotedFrom == ids[0])
            #expect(promoted.status == "deployed")
            #expect(outcome.targetId == promoted.id)
            #expect(console.calls("POST", "/api/deployments").count == 1)
        }
    }

    @Test func promoteWithoutASourceDeploymentDeploys() async throws {
        try await withConsole { console in
            let production = driver(console, environment: "production")
            _ = try await production.execute(register("1.2.0", environment: "production"))
            let request = deployment(.promote, "1.2.0", name: "robot-nav-production", environment: "production")
            _ = try await production.promote(request, sourceEnvironment: "staging")
            #expect(console.calls.filter { $0.path.hasSuffix("/promote") }.isEmpty)
            #expect(console.calls("POST", "/api/deployments").first?.body?["environment"] == .string("production"))
            #expect(console.deployments(environment: "production").map(\.status) == ["deployed"])
        }
    }

    @Test func undeployDeletesTheConsoleDeployment() async throws {
        try await withConsole { console in
            let driver = driver(console)
            let ids = try await deploy(["1.2.0"], with: driver)
            let request = deployment(.undeploy, "1.2.0")
            #expect(try await driver.hasEffect(request) == false)
            _ = try await driver.execute(request)
            let call = try #require(console.calls("DELETE", "/api/deployments/\(ids[0])").first)
            #expect(call.header("Idempotency-Key") == request.idempotencyKey)
            #expect(console.deployments().isEmpty)
            #expect(try await driver.hasEffect(request))
        }
    }

    @Test func adaptersArePutAndDeleted() async throws {
        try await withConsole { console in
            let driver = driver(console)
            let configure = adapter(.configureAdapter)
            #expect(try await driver.hasEffect(configure) == false)
            _ = try await driver.execute(configure)
            let put = try #require(console.calls("PUT", "/api/runtime-adapters/robotics-main").first)
            #expect(put.body == configure.action.document["spec"])
            #expect(put.header("Idempotency-Key") == configure.idempotencyKey)
            #expect(try await driver.hasEffect(configure))

            let key = ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging")
            console.setAdapterHealth(name: "robotics-main", status: "degraded")
            let probed = try await driver.probe(environment: "staging", applied: [applied("robotics-main", version: "", kind: .runtimeAdapter)])
            #expect(probed[key] == ProbeResult(state: .inSync, health: .degraded, message: "runtime adapter robotics-main is degraded"))

            let remove = adapter(.removeAdapter)
            _ = try await driver.execute(remove)
            #expect(console.calls("DELETE", "/api/runtime-adapters/robotics-main").count == 1)
            #expect(console.adapters.isEmpty)
            #expect(try await driver.hasEffect(remove))
            _ = try await driver.execute(remove)  // already gone: still fine
            let after = try await driver.probe(environment: "staging", applied: [applied("robotics-main", version: "", kind: .runtimeAdapter)])
            #expect(after[key]?.state == .missing)
        }
    }
}

// MARK: - Probes and health

extension HTTPDriverTests {
    @Test func probeReportsMissingDriftedAndInSyncWithHealth() async throws {
        try await withConsole { console in
            let driver = driver(console)
            _ = try await deploy(["1.1.0"], with: driver, name: "nav-a")
            _ = try await deploy(["1.2.0"], with: driver, name: "nav-b")
            console.setHealth(deployment: "nav-b", status: "degraded", errorRate: 0.05, responseTime: 640)
            console.clearCalls()

            let probed = try await driver.probe(environment: "staging", applied: [
                applied("nav-a", version: "1.0.0"), applied("nav-b", version: "1.2.0"), applied("nav-c", version: "1.2.0"),
            ])
            let a = try #require(probed[ResourceKey(kind: .deployment, name: "nav-a", environment: "staging")])
            let b = try #require(probed[ResourceKey(kind: .deployment, name: "nav-b", environment: "staging")])
            let c = try #require(probed[ResourceKey(kind: .deployment, name: "nav-c", environment: "staging")])
            #expect(a.state == .drifted)
            #expect(a.message?.contains("runs version 1.1.0, applied 1.0.0") == true)
            #expect(b.state == .inSync)
            #expect(b.health == .degraded)
            #expect(b.message?.contains("errorRate 0.05") == true)
            #expect(b.message?.contains("responseTime 640ms") == true)
            #expect(c.state == .missing)
            #expect(c.health == .missing)
            let list = try #require(console.calls("GET", "/api/deployments").first)
            #expect(list.query["environment"] == "staging")
            #expect(console.calls.count == 1)
        }
    }

    @Test func probeSeesAFailedOrRolledBackStatusAsDrift() async throws {
        try await withConsole { console in
            let driver = driver(console)
            let ids = try await deploy(["1.2.0"], with: driver)
            let resource = applied("robot-nav-staging", version: "1.2.0")
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.state == .inSync)
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.health == .healthy)
            console.setStatus(deploymentId: ids[0], "rolled_back")
            let drifted = try #require(try await driver.probe(environment: "staging", applied: [resource])[resource.key])
            #expect(drifted.state == .drifted)
            #expect(drifted.message?.contains("rolled_back") == true)
            console.setStatus(deploymentId: ids[0], "failed")
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.state == .drifted)
        }
    }

    @Test func consoleDeploymentsWithoutStewardDeploymentAreIgnored() async throws {
        try await withConsole { console in
            console.addDeployment(environment: "staging", metadata: .object(["name": .string("robot-nav-staging"),
                                                                             "stewardVersion": .string("1.2.0")]))
            let driver = driver(console)
            let resource = applied("robot-nav-staging", version: "1.2.0")
            let probed = try await driver.probe(environment: "staging", applied: [resource])
            #expect(probed[resource.key]?.state == .missing)
            let samples = try await driver.health(environment: "staging")
            #expect(samples.isEmpty)
            let undeployed = try await driver.hasEffect(deployment(.undeploy, "1.2.0"))
            #expect(undeployed)
        }
    }

    @Test func aFailedNewerDeployLeavesTheRunningOneCurrent() async throws {
        try await withConsole { console in
            let driver = driver(console)
            _ = try await deploy(["1.0.0"], with: driver)
            console.setDeployOutcome(version: "1.1.0", .failed)
            _ = try await driver.execute(register("1.1.0"))
            await #expect(throws: DriverError.self) { try await driver.execute(deployment(.deploy, "1.1.0")) }
            let resource = applied("robot-nav-staging", version: "1.0.0")
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.state == .inSync)
        }
    }

    @Test func healthReportsEachStewardDeployment() async throws {
        try await withConsole { console in
            let driver = driver(console)
            _ = try await deploy(["1.2.0"], with: driver, name: "nav-a")
            _ = try await deploy(["1.2.0"], with: driver, name: "nav-b")
            console.setHealth(deployment: "nav-b", status: "degraded", errorRate: 0.2, responseTime: 900)
            let samples = try await driver.health()
            #expect(samples["nav-a"] == HealthSample(status: "healthy", errorRate: 0.001, responseTime: 120))
            #expect(samples["nav-b"] == HealthSample(status: "degraded", errorRate: 0.2, responseTime: 900))
            #expect(samples["nav-b"]?.isHealthy == false)
            try await driver.ping()
            #expect(console.calls("GET", "/health").count == 1)
        }
    }
}
