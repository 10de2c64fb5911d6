import Actions
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

extension Reconciler {
    /// The plan for a revision against what was observed, changing nothing (`steward diff`).
    public struct Preview: Sendable {
        public var commit: String
        public var plan: Plan
        public var errors: [ValidationError]
    }

    public func preview(revision: String?) async throws -> Preview {
        let repository = try openRepository()
        let head = try repository.resolve(revision ?? settings.config.branch)
        if revision == nil, let held = source.forcePushProblem(head, repository: repository,
                                                               lastApplied: try await store.sourceCursor()?.lastAppliedCommit) {
            // `run` would hold this tip (rewritten history): so does the preview of it.
            return Preview(commit: head.sha, plan: Plan(commit: head.sha), errors: [held])
        }
        let registered = try await registeredVersions()
        let validation = try source.validate(head.sha, repository: repository, registered: registered)
        let report = validation.report
        guard report.isValid else { return Preview(commit: head.sha, plan: Plan(commit: head.sha), errors: report.errors) }
        let observation = try await observe(report.fleet, commit: head.sha, repository: repository, delta: validation.delta)
        let gates = try await gateInputs(report.fleet, observation: observation, head: head)
        var plan = Planner.plan(changes: observation.changes, commit: head.sha, suspended: observation.suspended, options: planOptions,
                                gates: gates.context)
        plan.blocked += observation.driverBlocked
        return Preview(commit: head.sha, plan: plan, errors: [])
    }
}
