import CoreMetrics
import Foundation
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics; bootstrapped once.
public enum StewardMetrics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: PrometheusCollectorRegistry?

    /// The registry, bootstrapping `MetricsSystem` with it on first use.
    public static func registry() -> PrometheusCollectorRegistry {
        lock.withLock {
            if let shared { return shared }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            shared = registry
            return registry
        }
    }
}
