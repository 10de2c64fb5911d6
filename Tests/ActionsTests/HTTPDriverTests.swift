import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Actions

/// The `http` driver against a real console server on loopback (DESIGN §5 mapping table), its
/// console ids in a real SQLite store.
@Suite struct HTTPDriverTests {
    static let token = "console-token-7f3a9c"
    static let commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

    // MARK: Fixtures

    /// Starts a console and a store for console ids, runs `body`, and always stops both.
    func withConsole(token: String? = HTTPDriverTests.token, polls: Int = 1,
                     _ body: (ConsoleServer, StateStoreConsoleIds) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "steward-http")
        let store = try await directory.executorStore()
        let console = try await ConsoleServer.start(token: token, pollsUntilDeployed: polls)
        do {
            try await body(console, StateStoreConsoleIds(store: store))
        } catch {
            await console.stop()
            try? await store.close()
            throw error
        }
        await console.stop()
        try await store.close()
    }

    func driver(_ console: ConsoleServer, _ ids: any ConsoleIdStore, environment: String = "staging",
                token: String? = HTTPDriverTests.token, requestTimeout: Double = 60, deployTimeout: Double = 90,
                retries: Int = 3) -> HTTPDriver {
        HTTPDriver(baseURL: console.baseURL, token: token, environment: environment, ids: ids, requestTimeout: requestTimeout,
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

    /// An applied resource as the store keeps it: the whole document as spec.
    func applied(_ name: String, version: String, kind: ResourceKind = .deployment, environment: String = "staging") -> AppliedResource {
        AppliedResource(key: ResourceKey(kind: kind, name: name, environment: environment), specHash: "h",
                        spec: .object(["spec": .object(["blueprint": .string("robot-nav"), "version": .string(version)])]),
                        commit: Self.commit, version: version, createdAt: Date(), updatedAt: Date())
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

    // MARK: registerVersion

    @Test func registerVersionPostsTheWorkflowSpecWithHeaders() async throws {
        try await withConsole { console, ids in
            let request = register("1.2.0")
            let outcome = try await driver(console, ids).execute(request)

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
            // The id is in the store at once, keyed by the console and blueprint@version.
            let recorded = try await ids.consoleIds(console: console.baseURL.absoluteString)
            #expect(recorded.map { [$0.kind.rawValue, $0.subject, $0.id] } == [["version", "robot-nav@1.2.0", outcome.targetId ?? ""]])
            #expect(try await driver(console, ids).hasEffect(request))
            #expect(try await driver(console, ids).hasEffect(register("9.9.9")) == false)
        }
    }

    @Test func registeringTheSameVersionAgainCountsAsSuccessWithTheRecordedId() async throws {
        try await withConsole { console, ids in
            let first = try await driver(console, ids).execute(register("1.2.0"))
            let second = try await driver(console, ids).execute(register("1.2.0"))
            #expect(console.calls("POST", "/api/deployments/versions").count == 1, "the recorded id answers; nothing is sent again")
            #expect(second.targetId == first.targetId)
            #expect(second.message.contains("already registered on this console"))
            #expect(console.versions.count == 1)
        }
    }

    @Test func aConflictOnAVersionStewardHasNoIdForIsTerminal() async throws {
        try await withConsole { console, ids in
            _ = try await driver(console, ids).execute(register("1.2.0"))
            // Another store (another Steward) sees the version registered, with no body to learn its id from.
            let directory = try TemporaryDirectory(prefix: "steward-http-other")
            let other = try await directory.executorStore()
            let error = try await driverError { _ = try await driver(console, StateStoreConsoleIds(store: other)).execute(register("1.2.0")) }
            try await other.close()
            #expect(!error.isTransient)
            #expect(error.message.contains("409"))
            #expect(error.message.contains("Steward has no record of its id"))
        }
    }

    // MARK: deploy

    @Test func deployPostsTheDeploymentAndPollsUntilDeployed() async throws {
        try await withConsole(polls: 3) { console, ids in
            let driver = driver(console, ids)
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
            #expect(body["metadata"]?["gitCommit"] == .string(Self.commit))
            #expect(body["metadata"]?["strategy"] == .object(["type": .string("rolling")]))

            let id = try #require(outcome.targetId)
            #expect(console.calls("GET", "/api/deployments/\(id)").count == 3)
            #expect(console.deployments(environment: "staging").map(\.status) == ["deployed"])
            let recorded = try await ids.consoleIds(console: console.baseURL.absoluteString).first { $0.kind == .deployment }
            #expect(recorded?.subject == "staging/robot-nav-staging")
            #expect(recorded?.id == id)
            #expect(try await driver.hasEffect(request))
            #expect(try await driver.hasEffect(deployment(.deploy, "1.3.0")) == false)
        }
    }

    /// A deployment is polled soon, then less often, up to every `pollInterval`: a console that
    /// deploys at once costs an eighth of the interval, not a whole one.
    @Test func deploymentsArePolledSoonThenUpToEveryInterval() {
        #expect((0..<6).map { HTTPDriver.pollDelay(after: $0, interval: 1) } == [0.125, 0.25, 0.5, 1, 1, 1])
        #expect(HTTPDriver.pollDelay(after: 1_000, interval: 1) == 1)
        #expect((0..<5).map { HTTPDriver.pollDelay(after: $0, interval: 0.02) } == [0.0025, 0.005, 0.01, 0.02, 0.02])
    }

    @Test func aDeployOfAnUnregisteredVersionIsTerminal() async throws {
        try await withConsole { console, ids in
            let error = try await driverError { _ = try await driver(console, ids).execute(deployment(.deploy, "4.0.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("robot-nav@4.0.0 is not registered"))
            #expect(console.calls("POST", "/api/deployments").isEmpty)
        }
    }

    @Test func aDeployEndingFailedIsTerminal() async throws {
        try await withConsole(polls: 2) { console, ids in
            console.setDeployOutcome(version: "1.2.0", .failed)
            let driver = driver(console, ids)
            _ = try await driver.execute(register("1.2.0"))
            let error = try await driverError { _ = try await driver.execute(deployment(.deploy, "1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("failed"))
            #expect(error.message.contains("simulated failure deploying version 1.2.0"))
        }
    }

    @Test func aDeployThatNeverFinishesIsTransientAfterTheDeployTimeout() async throws {
        try await withConsole(polls: 1_000_000) { console, ids in
            let driver = HTTPDriver(baseURL: console.baseURL, token: Self.token, environment: "staging", ids: ids, pollInterval: 0.05,
                                    deployTimeout: 0.4, initialBackoff: 0.01)
            _ = try await driver.execute(register("1.2.0"))
            let error = try await driverError { _ = try await driver.execute(deployment(.deploy, "1.2.0")) }
            #expect(error.isTransient)
            #expect(error.message.contains("still pending"))
            // The id was recorded before polling began: a crash while waiting does not lose it.
            let recorded = try await ids.consoleIds(console: console.baseURL.absoluteString).first { $0.kind == .deployment }
            #expect(recorded?.id == console.deployments().first?.id)
        }
    }
}
