import Foundation

/// Proven versions (DESIGN §6) from the deployment history: a version is proven in an environment once
/// it was deployed there and passed that environment's gates; proof never expires.
public struct ProofIndex: Sendable {
    /// The outcome of a history entry that proves a version.
    public static let provenOutcome = "proven"

    private var byBlueprint: [String: HistoryEntry] = [:]
    private var byDeployment: [String: [HistoryEntry]] = [:]

    /// Indexes the `proven` entries among `entries` (oldest first).
    public init(_ entries: [HistoryEntry] = []) {
        for entry in entries where entry.outcome == Self.provenOutcome {
            if let blueprint = entry.blueprint { byBlueprint[Self.key(entry.environment, blueprint, entry.version)] = entry }
            byDeployment[Self.key(entry.environment, entry.deployment), default: []].append(entry)
        }
    }

    /// The latest proof that `blueprint@version` passed `environment`'s gates.
    public func proof(blueprint: String, version: String, in environment: String) -> HistoryEntry? {
        byBlueprint[Self.key(environment, blueprint, version)]
    }

    /// Whether `version` was healthy (proven) for this Deployment in `environment` before.
    public func wasHealthy(deployment: String, version: String, in environment: String) -> Bool {
        healthy(deployment: deployment, in: environment).contains { $0.version == version }
    }

    /// The proofs of a Deployment in an environment, newest first.
    public func healthy(deployment: String, in environment: String) -> [HistoryEntry] {
        (byDeployment[Self.key(environment, deployment)] ?? []).reversed()
    }

    /// The version to roll back to: the newest proven version other than `version`.
    public func lastHealthy(deployment: String, in environment: String, otherThan version: String) -> HistoryEntry? {
        healthy(deployment: deployment, in: environment).first { $0.version != version }
    }

    private static func key(_ parts: String...) -> String { parts.joined(separator: "\u{0}") }
}
