import Foundation
import Metrics
import Reconcile

/// `steward_rollout_step{deployment,environment}` and `steward_targets{environment,version,health}`
/// (DESIGN §10), with series that emptied set to 0.
enum RolloutMetrics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var stepSeries = Set<[String]>()
    nonisolated(unsafe) private static var targetSeries = Set<[String]>()

    /// The step each rollout is in (its last step once finished).
    static func recordSteps(_ rollouts: some Collection<RolloutDecision>) {
        let current = Dictionary(rollouts.map { ([$0.deployment, $0.environment], $0.step) }, uniquingKeysWith: { a, _ in a })
        let stale: Set<[String]> = lock.withLock {
            defer { stepSeries = Set(current.keys) }
            return stepSeries.subtracting(current.keys)
        }
        for labels in stale { gauge("steward_rollout_step", ["deployment", "environment"], labels).record(0) }
        for (labels, step) in current { gauge("steward_rollout_step", ["deployment", "environment"], labels).record(step) }
    }

    /// How many targets run each version of a Deployment, by health.
    static func recordTargets(_ resources: some Sequence<AppliedResource>) {
        var counts: [[String]: Int] = [:]
        for resource in resources where resource.kind == .deployment && resource.key.target != nil && !resource.specHash.isEmpty {
            counts[[resource.key.environment ?? "", resource.version ?? "", resource.health.rawValue], default: 0] += 1
        }
        let stale: Set<[String]> = lock.withLock {
            defer { targetSeries = Set(counts.keys) }
            return targetSeries.subtracting(counts.keys)
        }
        for labels in stale { gauge("steward_targets", ["environment", "version", "health"], labels).record(0) }
        for (labels, count) in counts { gauge("steward_targets", ["environment", "version", "health"], labels).record(count) }
    }

    private static func gauge(_ label: String, _ names: [String], _ values: [String]) -> Gauge {
        Gauge(label: label, dimensions: Array(zip(names, values)))
    }
}
