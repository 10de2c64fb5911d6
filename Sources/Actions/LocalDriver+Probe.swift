import Manifests
import Reconcile

/// Probing: what the files on disk say about what Steward applied (DESIGN §4).
extension LocalDriver {
    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        var results: [ResourceKey: ProbeResult] = [:]
        for resource in applied where resource.key.environment == nil || resource.key.environment == environment {
            if let result = probe(resource, environment: environment) { results[resource.key] = result }
        }
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
