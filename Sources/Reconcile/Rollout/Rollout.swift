import Foundation
import Manifests

/// Where one target stands in a Deployment's rollout of the spec Git now wants (DESIGN §10).
public enum TargetProgress: String, Sendable, Hashable, Codable {
    /// Not running the wanted spec yet.
    case pending
    /// Running it, its health window still open.
    case gating
    /// Running it, its gates passed.
    case passed
    /// Running it, a gate failed (smoke tests or health).
    case failed
    /// `spec.suspend: true`: kept as it is, counted as not updated.
    case suspended
    /// Blue-green: in the slot that does not get the wanted spec; keeps what it runs (DESIGN §10).
    case standby
}

/// One Deployment's rollout across its targets, as a pass decides it (pure).
public struct RolloutDecision: Sendable, Hashable, Codable {
    public var deployment: String
    public var environment: String
    /// The version Git wants on the targets.
    public var version: String?
    public var strategy: String
    /// The targets that may start on the wanted spec now.
    public var allowed: Set<String>
    /// Why the others wait, when they do.
    public var waiting: String?
    /// The step the rollout is in (1-based) and how many there are; for `rolling`, batches.
    public var step: Int
    public var steps: Int
    /// Each target's progress, by name.
    public var targets: [String: TargetProgress]
    /// When a canary pause ends, if one is running.
    public var pausedUntil: Date?
    /// Blue-green: the slot that takes traffic now (nil before the first switch), the slot the wanted
    /// spec goes to, and whether traffic may switch to it now (its targets all passed their gates).
    public var activeSlot: String?
    public var slot: String?
    public var switchReady = false

    /// Whether every target that is not suspended runs the wanted spec with its gates passed (blue-green:
    /// every target of its slot, and traffic switched to that slot).
    public var isFinished: Bool {
        targets.values.allSatisfy { $0 == .passed || $0 == .suspended || $0 == .standby } && activeSlot == slot
    }
    /// How many targets run the wanted spec (gating or passed), and how many there are.
    public var updated: Int { targets.values.count(where: { $0 == .passed || $0 == .gating }) }
}

/// Decides which targets a Deployment's new spec goes to next (DESIGN §10): `rolling` batches of
/// `maxUnavailable`, `canary` steps of percentages, none (all at once) without a strategy. A batch or
/// step starts only when every updated target passed its gates; a failed target stops the rollout.
public enum Rollout {
    /// - Parameters:
    ///   - progress: each selected target's progress, by name.
    ///   - lastPassed: when the last target passed its gates (a canary pause runs from then).
    ///   - approvedSteps: the canary steps approved (`steward approve DEPLOYMENT --step N`).
    public static func decide(deployment: String, environment: String, version: String? = nil, strategy: Strategy?,
                              progress: [String: TargetProgress], lastPassed: Date?, approvedSteps: Set<Int> = [], now: Date) -> RolloutDecision {
        let names = progress.keys.sorted()
        let active = names.filter { progress[$0] != .suspended }
        let pending = active.filter { progress[$0] == .pending }
        let done = active.count(where: { progress[$0] == .passed })
        let gating = active.filter { progress[$0] == .gating }
        let failed = active.filter { progress[$0] == .failed }
        let sizes = stepSizes(strategy, total: active.count)
        var decision = RolloutDecision(deployment: deployment, environment: environment, version: version,
                                       strategy: strategy?.type.rawValue ?? "all-at-once",
                                       allowed: [], waiting: nil, step: 0, steps: sizes.count, targets: progress)
        // The step the rollout is in: the first whose size the updated targets have not reached.
        let reached = done + gating.count + failed.count
        let index = sizes.firstIndex { $0 > done } ?? max(sizes.count - 1, 0)
        decision.step = pending.isEmpty && gating.isEmpty && failed.isEmpty ? sizes.count : min(index + 1, sizes.count)
        guard !pending.isEmpty else { return decision }
        if !failed.isEmpty {
            decision.waiting = "rollout stopped at step \(decision.step)/\(sizes.count): \(list(failed)) failed \(failed.count == 1 ? "its" : "their") gates"
            return decision
        }
        if !gating.isEmpty {
            decision.waiting = "step \(decision.step)/\(sizes.count) is gating \(list(gating)) before the next"
            return decision
        }
        let size = sizes[min(index, sizes.count - 1)]
        if strategy?.type == .canary, done > 0 {
            if let pause = strategy?.pauseSeconds, let lastPassed, now < lastPassed.addingTimeInterval(Double(pause)) {
                let until = lastPassed.addingTimeInterval(Double(pause))
                decision.pausedUntil = until
                decision.waiting = "paused after step \(index)/\(sizes.count) until \(CanonicalJSON.timestamp(until))"
                return decision
            }
            if strategy?.approveSteps == true, !approvedSteps.contains(index + 1) {
                decision.waiting = "step \(index + 1)/\(sizes.count) awaits approval (steward approve \(deployment) --step \(index + 1))"
                return decision
            }
        }
        decision.allowed = Set(pending.prefix(max(size - reached, 0)))
        if decision.allowed.count < pending.count {
            decision.waiting = "step \(decision.step)/\(sizes.count): \(pending.count - decision.allowed.count) target\(pending.count - decision.allowed.count == 1 ? "" : "s") wait for this step's gates"
        }
        return decision
    }

    /// How many targets each step or batch has reached when it is done (cumulative), for `total` targets.
    public static func stepSizes(_ strategy: Strategy?, total: Int) -> [Int] {
        guard total > 0 else { return [0] }
        switch strategy?.type {
        case .rolling?:
            let batch = (strategy?.maxUnavailable ?? .count(1)).of(total)
            return Array(stride(from: batch, to: total, by: batch)) + [total]
        case .canary?:
            var sizes: [Int] = []
            for percent in strategy?.steps ?? [100] {
                let size = min(max((total * percent + 99) / 100, 1), total)
                if size > (sizes.last ?? 0) { sizes.append(size) }
            }
            return sizes.last == total ? sizes : sizes + [total]
        default:
            return [total]
        }
    }

    static func list(_ names: [String]) -> String {
        names.count <= 3 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
    }
}
