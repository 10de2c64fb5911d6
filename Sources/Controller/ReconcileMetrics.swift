import Actions
import Foundation
import Manifests
import Metrics
import Reconcile
import StateStore

/// The controller's Prometheus series (DESIGN §8), recorded through swift-metrics.
public enum ReconcileMetrics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var resourceSeries = Set<ResourceSeries>()
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
    static func recordResources<Resources: Sequence<AppliedResource>>(_ resources: Resources) {
        let counts = resourceCounts(resources)
        let stale: Set<ResourceSeries> = lock.withLock {
            defer { resourceSeries = Set(counts.keys) }
            return resourceSeries.subtracting(counts.keys)
        }
        for series in stale { series.gauge.record(0) }
        for (series, count) in counts { series.gauge.record(count) }
    }

    /// How many resources each (kind, sync, health) combination has; combinations with none are left out.
    static func resourceCounts<Resources: Sequence<AppliedResource>>(_ resources: Resources) -> [ResourceSeries: Int] {
        // Counted in a table indexed by the three enums: no label strings made or hashed per resource.
        var table = [(series: ResourceSeries?, count: Int)](repeating: (nil, 0), count: ResourceSeries.count)
        for resource in resources {
            let series = ResourceSeries(kind: resource.kind, sync: resource.sync, health: resource.health)
            table[series.index].series = series
            table[series.index].count += 1
        }
        var counts: [ResourceSeries: Int] = [:]
        for case let (series?, count) in table { counts[series] = count }
        return counts
    }

    /// One `steward_resources` series.
    struct ResourceSeries: Hashable {
        private static let syncs = SyncStatus.allCases.count, healths = HealthStatus.allCases.count
        static let count = ResourceKind.allCases.count * syncs * healths

        let kind: ResourceKind, sync: SyncStatus, health: HealthStatus

        /// The series' place in a table of all combinations.
        var index: Int { (kind.ordinal * Self.syncs + sync.ordinal) * Self.healths + health.ordinal }

        var gauge: Gauge {
            Gauge(label: "steward_resources", dimensions: [("kind", kind.rawValue), ("sync", sync.rawValue), ("health", health.rawValue)])
        }
    }
}

// Distinct small numbers (0 up to the count of cases), by switch: cheaper than hashing the raw strings.
private extension ResourceKind {
    var ordinal: Int {
        switch self {
        case .runtimeAdapter: 0
        case .agentBlueprint: 1
        case .environment: 2
        case .deployment: 3
        case .backupSchedule: 4
        case .target: 5
        }
    }
}

private extension SyncStatus {
    var ordinal: Int {
        switch self {
        case .synced: 0
        case .outOfSync: 1
        case .blocked: 2
        }
    }
}

private extension HealthStatus {
    var ordinal: Int {
        switch self {
        case .healthy: 0
        case .progressing: 1
        case .degraded: 2
        case .missing: 3
        case .unknown: 4
        }
    }
}
