@testable import Controller
import Foundation
import Logging
import StewardTesting
import Testing

/// `GET /api/plan` asks the loop for a preview between passes: a caller that stops waiting is
/// answered at once, and a waiting caller gets the plan `diff` would show.
@Suite("Plan requests to the reconcile loop", .serialized)
struct PlanRequestTests {
    @Test func aCallerThatStopsWaitingIsAnsweredAtOnce() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await Reconciler.quiet(in: fleet.path)
        let service = ReconcileService(reconciler: reconciler, interval: 300, logger: Logger(label: "test"))
        // The loop is not running (as during a long pass): the request waits until cancelled.
        let request = Task { try await service.plan() }
        try await Task.sleep(for: .milliseconds(200))
        let start = Date()
        request.cancel()
        let result = await request.result
        #expect(Date().timeIntervalSince(start) < 10, "answered without waiting for a loop that never comes")
        guard case .failure(let error) = result else { Issue.record("a plan came without a loop to make it"); return }
        #expect(error is CancellationError)
        try await reconciler.store.close()
    }

    @Test func theLoopAnswersWithThePlanDiffShows() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await Reconciler.quiet(in: fleet.path)
        let service = ReconcileService(reconciler: reconciler, interval: 300, logger: Logger(label: "test"))
        let loop = Task { try await service.run() }
        for _ in 0..<100 where service.lastResult.map({ !$0.plan.actions.isEmpty }) ?? true {
            try await Task.sleep(for: .milliseconds(100))   // until a pass plans nothing: converged, the loop sleeps
        }
        #expect(try await service.plan().plan.actions.isEmpty)
        // A hand edit on the target: the loop's plan and diff's name the same heal under the same key.
        try "{\"edited\": true}\n".write(toFile: fleet.path + "/var/fleet/staging/deployments/robot-nav-staging.json", atomically: true, encoding: .utf8)
        let plan = try await service.plan()
        let diff = try await StewardProcess.run(["diff", "-o", "json"], in: fleet.path)
        loop.cancel()
        _ = await loop.result
        #expect(plan.report.changes.map(\.change) == ["drift"])
        let changes = try #require(try await JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])["changes"] as? [[String: Any]]
        #expect(changes?.compactMap { $0["key"] as? String } == plan.report.changes.map(\.key))
        // A stopped loop refuses at once.
        await #expect(throws: ControllerError.self) { try await service.plan() }
        try await reconciler.store.close()
    }
}
