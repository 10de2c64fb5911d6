import Manifests
import Reconcile

/// Probing: what the files on disk say about what Steward applied (DESIGN §4).
extension LocalDriver {
    /// Reads and compares the files on every core when there are many (each file is its own work).
    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        let mine = applied.filter { $0.key.environment == nil || $0.key.environment == environment }
        let found = ConcurrentMap.map(mine) { probe($0, environment: environment) }
        var results: [ResourceKey: ProbeResult] = [:]
        results.reserveCapacity(mine.count)
        for (resource, result) in zip(mine, found) { results[resource.key] = result }
        return results
    }

    /// The probe result of one applied resource; nil for kinds without a file.
    func probe(_ resource: AppliedResource, environment: String) -> ProbeResult? {
        let file: LocalFile
        do {
            guard let found = try LocalFile(key: resource.key) else { return nil }
            file = found
        } catch {
            return ProbeResult(state: .drifted, health: .unknown, message: "\(error)")
        }
        do {
            let expected = try Self.expectedContent(for: resource, environment: environment)
            guard let path = try file.path(under: root, create: false),
                  let actual = try Self.readFile(path, relative: file.relativePath) else {
                return ProbeResult(state: .missing, health: .missing, message: "\(file.relativePath) is missing")
            }
            switch Self.compare(expected: expected, actual: actual) {
            case .equal:
                return ProbeResult(state: .inSync, health: .healthy)
            case .differs(let why):
                return ProbeResult(state: .drifted, health: .healthy, message: "\(file.relativePath): \(why)")
            }
        } catch {
            return ProbeResult(state: .drifted, health: .unknown, message: "\(error)")
        }
    }
}
