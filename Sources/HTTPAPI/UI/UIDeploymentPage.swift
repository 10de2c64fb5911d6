import Controller
import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore
import Synchronization

/// `/deployments/NAME`: each environment's state, why it is (not) converged, its part of the
/// plan, its history and its last events.
enum UIDeploymentPage {
    /// nil when no environment knows the Deployment and neither history nor Git has it.
    static func model(_ context: APIContext, name: String, viewer: UIViewer) async throws -> [String: Any]? {
        let resources = try await context.store.resources()
        let holds = try await context.store.holds()
        let applied = resources.filter { $0.kind == .deployment && $0.key.name == name }.sorted { ($0.key.environment ?? "") < ($1.key.environment ?? "") }
        let approvals = Set(resources.filter { $0.kind == .environment && UIPipelinePage.requiresApproval($0) }.map(\.key.name))
        let history = try await context.store.history(deployment: name)
        var model: [String: Any] = ["name": name]
        model["environments"] = applied.map { resource -> [String: Any] in
            var card = UIPipelinePage.deploymentCard(resource, holds: holds, approval: approvals.contains(resource.key.environment ?? ""), viewer: viewer)
            if let blocked = card.removeValue(forKey: "blocked") { card["message"] = "blocked: \(blocked)" }
            return card
        }
        model["history"] = history.reversed().prefix(100).map { entry -> [String: String] in
            ["time": UIFormat.time(entry.time), "environment": entry.environment, "version": entry.version, "action": entry.action,
             "outcome": entry.outcome, "commit": String(entry.commit.prefix(12)), "seq": entry.seq.map { "\($0)" } ?? ""]
        }
        let events = try await UIEventsPage.recent(context.store, limit: 20) { $0.resource == "Deployment/\(name)" }
        model["events"] = events.map(UIFormat.event)
        let plan = await planPart(context, name: name)
        guard !applied.isEmpty || !history.isEmpty || plan.known else { return nil }
        model.merge(plan.model) { _, new in new }
        return model
    }

    /// The plan's actions and blocked items for the Deployment, and `explain` for each environment,
    /// made by the loop between passes (a running pass answers after it, within three seconds or not at all).
    static func planPart(_ context: APIContext, name: String) async -> (model: [String: Any], known: Bool) {
        var preview: Reconciler.Preview
        do { preview = try await withPlanTimeout(seconds: 3) { try await context.reconcile.plan() } } catch {
            let reason = error is CancellationError ? "a reconcile pass is running; the plan and the explanation show after it" : "no plan: \(error)"
            return (["planNote": reason], false)
        }
        guard preview.errors.isEmpty else {
            return (["planNote": "the branch tip does not validate (\(preview.errors.count) error(s)); the plan is the last applied commit's"], false)
        }
        if preview.plan.blocked.isEmpty, let incidents = try? await Reconciler.incidents(in: context.store) { preview.facts.incidents = incidents }
        let actions = preview.plan.actions.filter { $0.key.kind == .deployment && $0.key.name == name }
        let blocked = preview.plan.blocked.filter { $0.key.kind == .deployment && $0.key.name == name }
        var model: [String: Any] = [:]
        if !actions.isEmpty || !blocked.isEmpty {
            model["plan"] = [
                "actions": actions.map { "\($0.kind.rawValue) \($0.key.resource) in \($0.key.environment ?? "-")\($0.version.map { " → \($0)" } ?? ""): \($0.reason)" },
                "blocked": blocked.map { "\($0.key.environment ?? "-"): \($0.reason)" },
            ] as [String: Any]
        }
        switch preview.facts.keys(named: name) {
        case .found(let keys):
            model["explanations"] = keys.map { preview.explain($0).text }
            return (model, true)
        case .unknownKind, .notFound:
            return (model, false)
        }
    }
}

/// `/events`: the log, newest first, with filters, and `verify-log`'s verdict.
enum UIEventsPage {
    struct Filters: Sendable {
        var resource: String?
        var type: String?
        var since: Int64?
        var state = false
    }

    static func model(_ context: APIContext, filters: Filters) async throws -> [String: Any] {
        let events: [EventRecord]
        if let since = filters.since {
            events = try await context.store.events(since: since, limit: 200).filter { matches($0, filters) }
        } else {
            events = try await recent(context.store, limit: 200) { matches($0, filters) }
        }
        let verdict = try await context.verdicts.verdict(of: context.store)
        var model: [String: Any] = ["events": events.map(UIFormat.event), "state": filters.state,
                                    "resource": filters.resource ?? "", "type": filters.type ?? "", "since": filters.since.map { "\($0)" } ?? ""]
        switch verdict {
        case .valid(let count, let head):
            model["verdict"] = "verify-log: ok — \(count) records, chain intact up to seq \(head.seq)"
            model["verdictClass"] = "valid"
        case .broken(let seq, let reason):
            model["verdict"] = "verify-log: BROKEN at seq \(seq): \(reason)"
            model["verdictClass"] = "broken"
        }
        return model
    }

    static func matches(_ record: EventRecord, _ filters: Filters) -> Bool {
        if !filters.state, record.type == "stateChanged" { return false }
        if let resource = filters.resource, !resource.isEmpty, record.resource != resource { return false }
        if let type = filters.type, !type.isEmpty, record.type != type, record.reason.caseInsensitiveCompare(type) != .orderedSame { return false }
        return true
    }

    /// The newest `limit` records that `take` accepts, newest first, reading back from the head
    /// a page at a time (at most 20,000 records).
    static func recent(_ store: any StateStore, limit: Int, _ take: (EventRecord) -> Bool) async throws -> [EventRecord] {
        let head = try await store.eventHead().seq
        var found: [EventRecord] = []
        var upper = head
        let page: Int64 = 1_000
        while upper > 0, found.count < limit, head - upper < 20_000 {
            let from = max(0, upper - page)
            let records = try await store.events(since: from, limit: Int(upper - from))
            found.append(contentsOf: records.reversed().filter(take).prefix(limit - found.count))
            upper = from
        }
        return found
    }
}

/// `verify-log`'s verdict, computed again only when the log's head moved.
final class UIVerdicts: Sendable {
    private let cached = Mutex<(seq: Int64, verdict: ChainVerification)?>(nil)

    init() {}

    func verdict(of store: any StateStore) async throws -> ChainVerification {
        let head = try await store.eventHead().seq
        if let hit = cached.withLock({ $0 }), hit.seq == head { return hit.verdict }
        let verdict = try await store.verifyEventLog()
        cached.withLock { $0 = (head, verdict) }
        return verdict
    }
}
