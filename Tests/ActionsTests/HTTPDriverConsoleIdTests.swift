import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Actions

/// Console ids live in the store (DESIGN §5): a promotion on a console that has only the guide's
/// endpoints succeeds, and a restarted driver finds the ids it learnt before.
@Suite struct HTTPDriverConsoleIdTests {
    let fixtures = HTTPDriverTests()

    /// Whether every call the console received is a route it documents.
    func onlyDocumentedRoutes(_ console: ConsoleServer) -> Bool {
        console.calls.allSatisfy { call in
            let path = call.path.split(separator: "/").map(String.init)
            return ConsoleServer.routes.contains { $0.method == call.method && Self.matches($0.pattern, path) }
        }
    }

    static func matches(_ pattern: String, _ path: [String]) -> Bool {
        let parts = pattern.split(separator: "/").map(String.init)
        return parts.count == path.count && zip(parts, path).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }

    @Test func aPromotionToProductionSucceedsOnTheGuidesConsole() async throws {
        try await fixtures.withConsole { console, ids in
            let staging = fixtures.driver(console, ids)
            _ = try await fixtures.deploy(["1.2.0"], with: staging)
            _ = try await staging.execute(fixtures.deployment(.smokeTest, "1.2.0"))

            let production = HTTPDriver(baseURL: console.baseURL, token: HTTPDriverTests.token, environment: "production", ids: ids,
                                        promotesFrom: "staging", pollInterval: 0.02, initialBackoff: 0.01)
            let registered = try await production.execute(fixtures.register("1.2.0", environment: "production"))
            #expect(registered.targetId == console.versions[0].id, "the 409 reuses the id registered through staging")
            let promote = fixtures.deployment(.promote, "1.2.0", name: "robot-nav-production", environment: "production")
            let outcome = try await production.execute(promote)

            let source = try #require(console.deployments(environment: "staging").first)
            #expect(console.calls("POST", "/api/deployments/\(source.id)/promote").count == 1)
            #expect(console.deployments(environment: "production").map(\.status) == ["deployed"])
            #expect(outcome.message.contains("promoted"))
            #expect(try await production.hasEffect(promote))
            #expect(console.calls("GET", "/api/deployments/versions").isEmpty)
            #expect(onlyDocumentedRoutes(console))
        }
    }

    @Test func twoEnvironmentsRegisteringOneVersionAtOnceShareItsId() async throws {
        try await fixtures.withConsole { console, ids in
            let staging = fixtures.driver(console, ids)
            let production = fixtures.driver(console, ids, environment: "production")
            async let first = staging.execute(fixtures.register("1.2.0"))
            async let second = production.execute(fixtures.register("1.2.0", environment: "production"))
            let outcomes = try await [first, second]
            #expect(outcomes.map(\.targetId) == [console.versions[0].id, console.versions[0].id])
            #expect(console.versions.count == 1)
            #expect(console.calls("POST", "/api/deployments/versions").count == 1, "the second waits its turn and uses the id the first recorded")
        }
    }

    @Test func afterARestartTheIdsComeFromTheStore() async throws {
        let directory = try TemporaryDirectory(prefix: "steward-restart")
        let console = try await ConsoleServer.start(token: HTTPDriverTests.token)
        do {
            // Before the restart: staging registers and deploys, production registers.
            let before = try await directory.executorStore()
            let beforeIds = StateStoreConsoleIds(store: before)
            _ = try await fixtures.deploy(["1.1.0", "1.2.0"], with: fixtures.driver(console, beforeIds))
            _ = try await fixtures.driver(console, beforeIds, environment: "production")
                .execute(fixtures.register("1.2.0", environment: "production"))
            try await before.close()

            // After: a new store connection and new drivers; nothing in memory.
            let after = try await directory.executorStore()
            let ids = StateStoreConsoleIds(store: after)
            let recorded = try await ids.consoleIds(console: console.baseURL.absoluteString)
            #expect(Set(recorded.map(\.subject)) == ["robot-nav@1.1.0", "robot-nav@1.2.0", "staging/robot-nav-staging"])
            console.clearCalls()

            let staging = fixtures.driver(console, ids)
            let resource = fixtures.applied("robot-nav-staging", version: "1.2.0")
            #expect(try await staging.probe(environment: "staging", applied: [resource])[resource.key]?.state == .inSync)
            #expect(try await staging.hasEffect(fixtures.register("1.1.0")))
            _ = try await staging.execute(fixtures.deployment(.smokeTest, "1.2.0"))

            let production = HTTPDriver(baseURL: console.baseURL, token: HTTPDriverTests.token, environment: "production", ids: ids,
                                        promotesFrom: "staging", pollInterval: 0.02, initialBackoff: 0.01)
            _ = try await production.execute(fixtures.deployment(.promote, "1.2.0", name: "robot-nav-production", environment: "production"))
            #expect(console.calls.filter { $0.path.hasSuffix("/promote") }.count == 1)
            #expect(console.calls("POST", "/api/deployments/versions").isEmpty, "the version ids were not learnt again")

            // A rollback in staging, on ids read from the store only.
            let rollback = try await fixtures.driver(console, ids).execute(fixtures.deployment(.rollback, "1.1.0"))
            #expect(console.calls("POST", "/api/deployments/rollback").count == 1)
            let current = try await ids.consoleIds(console: console.baseURL.absoluteString)
                .first { $0.subject == "staging/robot-nav-staging" }
            #expect(current?.id == rollback.targetId)
            #expect(onlyDocumentedRoutes(console))
            try await after.close()
        } catch {
            await console.stop()
            throw error
        }
        await console.stop()
    }
}
