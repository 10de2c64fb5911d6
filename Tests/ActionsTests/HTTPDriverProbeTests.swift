import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Actions

/// Probes and health (DESIGN §4, §6): answers read leniently, unknown shapes `Unknown` with the reason.
extension HTTPDriverTests {
    @Test func probeReportsMissingDriftedAndInSyncWithHealth() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
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
            #expect(b.errorRate == 0.05)
            #expect(c.state == .missing)
            #expect(c.health == .missing)
            let list = try #require(console.calls("GET", "/api/deployments").first)
            #expect(list.query["environment"] == "staging")
            #expect(console.calls.count == 1)
        }
    }

    @Test func probeSeesAFailedOrRolledBackStatusAsDrift() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let deployed = try await deploy(["1.2.0"], with: driver)
            let resource = applied("robot-nav-staging", version: "1.2.0")
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.state == .inSync)
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.health == .healthy)
            console.setStatus(deploymentId: deployed[0], "rolled_back")
            let drifted = try #require(try await driver.probe(environment: "staging", applied: [resource])[resource.key])
            #expect(drifted.state == .drifted)
            #expect(drifted.message?.contains("rolled_back") == true)
            console.setStatus(deploymentId: deployed[0], "failed")
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.state == .drifted)
        }
    }

    @Test func consoleDeploymentsWithoutStewardDeploymentAreIgnored() async throws {
        try await withConsole { console, ids in
            console.addDeployment(environment: "staging", metadata: .object(["name": .string("robot-nav-staging"),
                                                                             "stewardVersion": .string("1.2.0")]))
            let driver = driver(console, ids)
            let resource = applied("robot-nav-staging", version: "1.2.0")
            let probed = try await driver.probe(environment: "staging", applied: [resource])
            #expect(probed[resource.key]?.state == .missing)
            let samples = try await driver.health(environment: "staging")
            #expect(samples.isEmpty)
            let undeployed = try await driver.hasEffect(deployment(.undeploy, "1.2.0"))
            #expect(undeployed)
        }
    }

    @Test func aDeploymentWhoseIdStewardRecordedIsItsEvenWithoutMetadata() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            _ = try await driver.execute(register("1.2.0"))
            // A console that keeps no metadata: only the recorded id says whose deployment it is.
            let id = console.addDeployment(environment: "staging", versionId: console.versions[0].id)
            try await ids.record(ConsoleId(console: driver.consoleKey, kind: .deployment, subject: "staging/robot-nav-staging", id: id,
                                           recordedAt: Date()))
            let resource = applied("robot-nav-staging", version: "1.2.0")
            let probed = try #require(try await driver.probe(environment: "staging", applied: [resource])[resource.key])
            #expect(probed.state == .inSync)
            #expect(probed.message?.contains("console deployment \(id)") == true)
            #expect(try await driver.health(environment: "staging")["robot-nav-staging"]?.isHealthy == true)
        }
    }

    @Test func aFailedNewerDeployLeavesTheRunningOneCurrent() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            _ = try await deploy(["1.0.0"], with: driver)
            console.setDeployOutcome(version: "1.1.0", .failed)
            _ = try await driver.execute(register("1.1.0"))
            await #expect(throws: DriverError.self) { try await driver.execute(deployment(.deploy, "1.1.0")) }
            let resource = applied("robot-nav-staging", version: "1.0.0")
            #expect(try await driver.probe(environment: "staging", applied: [resource])[resource.key]?.state == .inSync)
        }
    }

    @Test func healthReportsEachStewardDeployment() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
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

    @Test func aDeploymentHealthOfAnUnknownShapeIsUnknownWithTheReason() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            _ = try await deploy(["1.2.0"], with: driver, name: "nav-a")
            _ = try await deploy(["1.2.0"], with: driver, name: "nav-b")
            console.setHealth(deployment: "nav-a", .object(["healthy": .bool(true), "since": .string("10m")]))
            console.setHealth(deployment: "nav-b", .array([.string("green")]))
            let probed = try await driver.probe(environment: "staging", applied: [applied("nav-a", version: "1.2.0"),
                                                                                   applied("nav-b", version: "1.2.0")])
            let a = try #require(probed[ResourceKey(kind: .deployment, name: "nav-a", environment: "staging")])
            let b = try #require(probed[ResourceKey(kind: .deployment, name: "nav-b", environment: "staging")])
            #expect(a == ProbeResult(state: .inSync, health: .healthy, message: a.message))
            #expect(b.state == .inSync)
            #expect(b.health == .unknown)
            #expect(b.message?.contains("unreadable health [\"green\"]") == true, "\(b.message ?? "")")
        }
    }

    // MARK: Runtime adapters' health

    @Test func adapterHealthInTheRegistryShapeIsRead() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            _ = try await driver.execute(adapter(.configureAdapter))
            console.setAdapterHealthAnswer(.object([
                "robotics-main": .object(["healthy": .bool(true)]),
                "mobile-main": .object(["healthy": .bool(false), "message": .string("sandbox down")]),
            ]))
            let probed = try await driver.probe(environment: "staging", applied: [
                applied("robotics-main", version: "", kind: .runtimeAdapter), applied("mobile-main", version: "", kind: .runtimeAdapter),
                applied("glasses-main", version: "", kind: .runtimeAdapter),
            ])
            #expect(probed[ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging")]
                        == ProbeResult(state: .inSync, health: .healthy, message: "runtime adapter robotics-main is healthy"))
            #expect(probed[ResourceKey(kind: .runtimeAdapter, name: "mobile-main", environment: "staging")]?.health == .degraded)
            #expect(probed[ResourceKey(kind: .runtimeAdapter, name: "glasses-main", environment: "staging")]?.state == .missing)
        }
    }

    @Test func adapterHealthAsAListIsRead() async throws {
        try await withConsole { console, ids in
            console.setAdapterHealthAnswer(.object(["adapters": .array([
                .object(["name": .string("robotics-main"), "status": .string("degraded"), "runtimeType": .string("robotics")]),
            ])]))
            let key = ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging")
            let resource = applied("robotics-main", version: "", kind: .runtimeAdapter)
            let probed = try await driver(console, ids).probe(environment: "staging", applied: [resource])
            #expect(probed[key] == ProbeResult(state: .inSync, health: .degraded, message: "runtime adapter robotics-main is degraded"))
        }
    }

    @Test func adapterHealthOfAnUnknownShapeIsUnknownNeverAFailedProbe() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            let deployed = try await deploy(["1.2.0"], with: driver)
            let adapterKey = ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging")
            let resources = [applied("robot-nav-staging", version: "1.2.0"), applied("robotics-main", version: "", kind: .runtimeAdapter)]
            for (answer, reason) in [
                (JSONValue.object(["status": .string("ok"), "checkedAt": .int(1_700_000_000)]), "is not {adapterId: {healthy: bool}}"),
                (.string("all good"), "is neither {adapterId: {healthy: bool}} nor a list"),
                (.array([.object(["healthy": .bool(true)])]), "names no adapter and its health"),
            ] {
                console.setAdapterHealthAnswer(answer)
                let probed = try await driver.probe(environment: "staging", applied: resources)
                let adapter = try #require(probed[adapterKey])
                #expect(adapter.state == .inSync)
                #expect(adapter.health == .unknown)
                #expect(adapter.message?.contains(reason) == true, "\(adapter.message ?? "")")
                // The deployment's part of the probe is untouched.
                #expect(probed[resources[0].key]?.message?.contains(deployed[0]) == true)
                #expect(probed[resources[0].key]?.health == .healthy)
            }
            console.setAdapterHealthAnswer(nil)
            console.failNext(4, status: 503)
            let unavailable = try await driver.probe(environment: "staging", applied: [resources[1]])
            #expect(unavailable[adapterKey]?.health == .unknown)
            #expect(unavailable[adapterKey]?.message?.contains("503") == true)
        }
    }

    @Test func aDeploymentListOfAnUnknownShapeIsUnknownWithTheReason() throws {
        #expect(throws: ConsoleAPI.Unreadable.self) { try ConsoleDeploymentList(answer: .object(["items": .int(3)])) }
        let listed = try ConsoleDeploymentList(answer: .object(["deployments": .array([
            .object(["id": .int(7), "status": .string("deployed"), "extra": .bool(true)]), .string("not a deployment"),
        ])]))
        #expect(listed.newestFirst.map(\.id) == ["7"])
    }

    @Test func theListIsNewestFirstUnlessEveryEntryHasACreationTime() throws {
        func entry(_ id: String, _ createdAt: String?) -> JSONValue {
            var members: [String: JSONValue] = ["id": .string(id), "status": .string("deployed"),
                                                "metadata": .object(["stewardDeployment": .string("nav")])]
            if let createdAt { members["createdAt"] = .string(createdAt) }
            return .object(members)
        }
        let asListed = try ConsoleDeploymentList(answer: .array([entry("b", nil), entry("a", "2024-01-09T10:05:00Z")]))
        #expect(asListed.current(of: "nav", knownId: nil)?.id == "b")
        let dated = try ConsoleDeploymentList(answer: .array([entry("a", "2024-01-09T10:05:00Z"), entry("b", "2024-01-09T11:00:00.250Z")]))
        #expect(dated.current(of: "nav", knownId: nil)?.id == "b")
    }
}
