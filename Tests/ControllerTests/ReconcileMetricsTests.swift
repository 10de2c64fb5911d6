@testable import Controller
import Foundation
import Manifests
import Reconcile
import Testing

@Suite("steward_resources counts")
struct ReconcileMetricsTests {
    /// Every combination of kind, sync and health, some several times: the table's counts are a plain grouping's.
    @Test func countsAreAGroupingByKindSyncAndHealth() {
        var resources: [AppliedResource] = []
        var expected: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for kind in ResourceKind.allCases {
            for sync in SyncStatus.allCases {
                for health in HealthStatus.allCases {
                    let copies = Int.random(in: 0...3, using: &generator)
                    for copy in 0..<copies {
                        resources.append(AppliedResource(key: ResourceKey(kind: kind, name: "r\(resources.count)-\(copy)", environment: "dev"),
                                                         specHash: "h", spec: .null, commit: "c", sync: sync, health: health,
                                                         createdAt: Date(), updatedAt: Date()))
                    }
                    if copies > 0 { expected["\(kind.rawValue)/\(sync.rawValue)/\(health.rawValue)"] = copies }
                }
            }
        }
        resources.shuffle()
        let counts = ReconcileMetrics.resourceCounts(resources)
        let named = Dictionary(uniqueKeysWithValues: counts.map { ("\($0.key.kind.rawValue)/\($0.key.sync.rawValue)/\($0.key.health.rawValue)", $0.value) })
        #expect(named == expected)
        #expect(counts.values.reduce(0, +) == resources.count)
        #expect(ReconcileMetrics.resourceCounts([AppliedResource]()).isEmpty)
    }
}
