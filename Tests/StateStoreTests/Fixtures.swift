import EventLog
import Foundation
import Manifests
import Reconcile

/// Test values with millisecond-precise dates, as the store keeps them.
enum Fixtures {
    /// A date `offset` milliseconds after a fixed instant.
    static func date(_ offset: Int64 = 0) -> Date { Date(timeIntervalSince1970: Double(1_763_880_000_123 + offset) / 1000) }

    static func resource(_ name: String, environment: String? = "staging", kind: ResourceKind = .deployment, version: String? = "1.2.0",
                         commit: String = "c0ffee", hash: String = "h1") -> AppliedResource {
        AppliedResource(
            key: ResourceKey(kind: kind, name: name, environment: environment), specHash: hash,
            spec: .object(["blueprint": .string("planner"), "replicas": .int(3), "ratio": .double(1.5), "tags": .array([.string("a"), .null]),
                           "enabled": .bool(true), "config": .object(["nested": .string("ü ✓ \"quoted\"")])]),
            commit: commit, version: version, sync: .outOfSync, health: .progressing, message: "deploying",
            conditions: [Condition(type: "Ready", status: false, reason: "Deploying", message: "waiting for smoke tests")],
            createdAt: date(1), updatedAt: date(2))
    }

    static func resources(_ count: Int, prefix: String = "agent", commit: String = "c0ffee") -> [AppliedResource] {
        (0..<count).map { resource("\(prefix)-\($0)", environment: $0 % 2 == 0 ? "staging" : "production", commit: commit) }
    }

    static func event(_ reason: String, resource: String? = "Deployment/planner", environment: String? = "staging") -> NewEvent {
        NewEvent(time: date(10), commit: "c0ffee", resource: resource, environment: environment, type: .actionSucceeded, reason: reason,
                 message: "\(reason) done", data: .object(["version": .string("1.2.0"), "attempt": .int(1)]))
    }

    static func actionKey(_ key: String, state: ActionKeyRecord.State = .completed) -> ActionKeyRecord {
        ActionKeyRecord(key: key, state: state, action: "deploy", resource: "Deployment/planner", environment: "staging",
                        startedAt: date(20), finishedAt: state == .started ? nil : date(25), message: state == .failed ? "boom" : nil)
    }
}
