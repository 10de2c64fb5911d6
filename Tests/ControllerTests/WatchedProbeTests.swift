import Actions
import EventLog
@testable import Controller
import Foundation
import Reconcile
import StewardTesting
import Testing

/// Probes that cost what changed (issue "Speed where users feel it"): a running controller does not
/// probe an environment whose files nothing touched since its last probe (inotify), and still sees
/// every hand edit in the next pass — an edit that keeps the file's size and modification time
/// included — and probes everything again once `reconcile.fullProbeInterval` has passed.
@Suite("Watched probes: an unchanged environment is not probed, every edit still is")
struct WatchedProbeTests {
    @Test func unchangedEnvironmentsAreNotProbedAndEditsAreHealedInTheNextPass() async throws {
        let fleet = try FleetWorkspace()
        let config = fleet.path + "/controller.yaml"
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "reconcile: {", with: "reconcile: {fullProbeInterval: 5s, ")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let settings = try ControllerSettings.load(path: config)
        let staging = settings.resolve("./var/fleet/staging"), production = settings.resolve("./var/fleet/production")
        let reconciler = try await Reconciler.quiet(in: fleet.path)
        var converged = false
        for _ in 0..<10 where !converged {
            converged = try await reconciler.pass().plan.actions.isEmpty
        }
        #expect(converged)
        _ = try await reconciler.pass()   // the files the last actions wrote are probed once more
        let probes = (staging: LocalDriver.probes(of: staging), production: LocalDriver.probes(of: production))
        for _ in 0..<3 {
            let unchanged = try await reconciler.pass()
            #expect(unchanged.plan.actions.isEmpty && unchanged.plan.blocked.isEmpty)
        }
        #expect(LocalDriver.probes(of: staging) == probes.staging, "nothing under staging changed: not probed")
        #expect(LocalDriver.probes(of: production) == probes.production)

        // A hand edit of the same size with its modification time set back, in staging only.
        let path = staging + "/deployments/robot-nav-staging.json"
        let original = try HandEdit.sameSize(path, replacing: "robot-navigation-agent", with: "robot-navigation-agenX")
        let healed = try await reconciler.pass()
        #expect(healed.plan.actions.map(\.key.name) == ["robot-nav-staging"], "\(healed.plan.actions.map(\.key))")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original, "healed in the pass after the edit")
        #expect(LocalDriver.probes(of: staging) == probes.staging + 1)
        #expect(LocalDriver.probes(of: production) == probes.production, "production's files did not change")
        let events = try await reconciler.store.events(since: 0, limit: 10_000)
        let drift = events.filter { $0.type == EventType.driftDetected.rawValue && $0.resource == "Deployment/robot-nav-staging" }
        #expect(drift.count == 1)

        // A new commit: what the files say has not changed, so neither environment is probed for it.
        _ = try await reconciler.pass()
        let beforeCommit = (staging: LocalDriver.probes(of: staging), production: LocalDriver.probes(of: production))
        let deployment = try #require(fleet.repo.read("deployments/robot-nav-staging.yaml"))
        try fleet.repo.write("deployments/robot-nav-staging.yaml", deployment.replacingOccurrences(of: "team: edge", with: "team: edge-ops"))
        try fleet.repo.commit("relabel robot-nav-staging")
        let relabelled = try await reconciler.pass()
        #expect(relabelled.plan.actions.map(\.key.name) == ["robot-nav-staging"], "\(relabelled.plan.actions.map(\.key))")
        #expect(LocalDriver.probes(of: staging) == beforeCommit.staging && LocalDriver.probes(of: production) == beforeCommit.production)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("edge-ops"))

        // After fullProbeInterval every environment is probed again, changed or not.
        _ = try await reconciler.pass()
        let settled = (staging: LocalDriver.probes(of: staging), production: LocalDriver.probes(of: production))
        try await Task.sleep(for: .seconds(5.2))
        _ = try await reconciler.pass()
        #expect(LocalDriver.probes(of: staging) == settled.staging + 1)
        #expect(LocalDriver.probes(of: production) == settled.production + 1)
        try await reconciler.store.close()
    }
}
