import Actions
import Foundation
import Metrics
import Reconcile
import StateStore

/// The controller's Prometheus series (DESIGN §8), recorded through swift-metrics.
public enum ReconcileMetrics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var resourceSeries = Set<[String]>()
    nonisolated(unsafe) private static var commitSeries: String?

    static func recordPass(duration: Double, failed: Bool, report: Executor.Report?) {
        Timer(label: "steward_reconcile_duration_seconds").recordSeconds(duration)
        Counter(label: "steward_reconcile_total", dimensions: [("result", failed ? "failure" : "success")]).increment()
        if !failed { Gauge(label: "steward_last_successful_reconcile_timestamp_seconds").record(Date().timeIntervalSince1970) }
        for action in report?.succeeded ?? [] {
            Counter(label: "steward_actions_total", dimensions: [("kind", action.kind.rawValue), ("result", "success")]).increment()
        }
        for failure in report?.failed ?? [] {
            Counter(label: "steward_actions_total", dimensions: [("kind", failure.action.kind.rawValue), ("result", "failure")]).increment()
        }
    }

    static func recordSource(commit: String) {
        let previous: String? = lock.withLock {
            defer { commitSeries = commit }
            return commitSeries
        }
        if let previous, previous != commit { Gauge(label: "steward_source_commit_info", dimensions: [("sha", previous)]).record(0) }
        Gauge(label: "steward_source_commit_info", dimensions: [("sha", commit)]).record(1)
    }

    /// `steward_leader`: 1 while this replica leads.
    public static func recordLeader(_ leading: Bool) {
        Gauge(label: "steward_leader").record(leading ? 1 : 0)
    }

    /// `steward_resources{kind,sync,health}`: counts per combination, zeroing combinations that emptied.
    static func recordResources(_ resources: [AppliedResource]) {
        var counts: [[String]: Int] = [:]
        for resource in resources {
            counts[[resource.key.kind.rawValue, resource.sync.rawValue, resource.health.rawValue], default: 0] += 1
        }
        let stale: Set<[String]> = lock.withLock {
            defer { resourceSeries = Set(counts.keys) }
            return resourceSeries.subtracting(counts.keys)
        }
        for labels in stale { gauge(labels).record(0) }
        for (labels, count) in counts { gauge(labels).record(count) }
    }

    private static func gauge(_ labels: [String]) -> Gauge {
        Gauge(label: "steward_resources", dimensions: [("kind", labels[0]), ("sync", labels[1]), ("health", labels[2])])
    }
}
