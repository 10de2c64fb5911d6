import Foundation
import Manifests
import Reconcile

/// What a driver is asked to do: one planned action plus its idempotency key.
public struct ActionRequest: Sendable, Hashable {
    public var action: PlannedAction
    public var environment: String
    public var idempotencyKey: String
    /// The environment's rollout strategy (DESIGN §2), passed through to targets.
    public var strategy: JSONValue?

    public init(action: PlannedAction, environment: String, idempotencyKey: String, strategy: JSONValue? = nil) {
        self.action = action
        self.environment = environment
        self.idempotencyKey = idempotencyKey
        self.strategy = strategy
    }
}

/// What a driver reports after an action.
public struct ActionOutcome: Sendable, Hashable {
    public var message: String
    /// A target-side id (the console deployment id), when there is one.
    public var targetId: String?
    /// Output tails (secrets redacted) for the event log.
    public var output: String?
    public var data: JSONValue?

    public init(message: String, targetId: String? = nil, output: String? = nil, data: JSONValue? = nil) {
        self.message = message
        self.targetId = targetId
        self.output = output
        self.data = data
    }
}

/// What a target actually runs for one applied resource.
public struct ProbeResult: Sendable, Hashable {
    /// `unknown`: the target could not tell (a probe that failed, an answer of an unknown shape) —
    /// never drift; health is `Unknown` with the reason (DESIGN §4).
    public enum State: String, Sendable, Hashable { case inSync, drifted, missing, unknown }

    public var state: State
    public var health: HealthStatus
    public var message: String?
    /// What the target reports for the health gate (DESIGN §6), when it reports it.
    public var errorRate: Double?
    /// p95 response time in milliseconds.
    public var responseTimeMs: Double?

    public init(state: State, health: HealthStatus, message: String? = nil, errorRate: Double? = nil, responseTimeMs: Double? = nil) {
        self.state = state
        self.health = health
        self.message = message
        self.errorRate = errorRate
        self.responseTimeMs = responseTimeMs
    }
}

/// A driver failure: transient ones are retried with backoff, terminal ones wait for new input.
public struct DriverError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var isTransient: Bool

    public init(_ message: String, transient: Bool) {
        self.message = message
        self.isTransient = transient
    }

    public var description: String { message }
}

/// How actions reach an environment (DESIGN §5): `local`, `exec` or `http`.
public protocol Driver: Sendable {
    /// Carries out one action; throws `DriverError` on failure.
    func execute(_ request: ActionRequest) async throws -> ActionOutcome
    /// Whether the action's effect is already there (after a crash between start and completion).
    /// Throws when the target cannot tell: that is not a "no" (DESIGN §5), the action waits.
    func hasEffect(_ request: ActionRequest) async throws -> Bool
    /// What the target runs for each resource Steward applied in this environment.
    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult]
    /// A count that moves whenever anything this driver's probe reads may have changed (a watch on
    /// the target's files), and is never the same for drivers that read different things: while it
    /// stays the same, the last probe's answer stands. Nil when the driver cannot tell, and then
    /// every pass probes. `start`: begin watching if not yet.
    func changeCount(start: Bool) -> UInt64?
    /// Makes what `execute` did durable, and in place, where the driver leaves that for later (the
    /// local driver's staged files and folder fsyncs); the executor calls it before it records the
    /// outcomes of a group of actions.
    func settle() async throws
}

extension Driver {
    public func changeCount(start: Bool) -> UInt64? { nil }
    public func settle() async throws {}
}
