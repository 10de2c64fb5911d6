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
        let holds = Dictionary(grouping: try await context.store.holds().filter { $0.deployment == name }, by: { "\($0.deployment)/\($0.environment)" })
        let applied = TargetSummary.rows(resources.filter { $0.kind == .deployment && $0.key.name == name })
            .sorted { ($0.resource.key.environment ?? "") < ($1.resource.key.environment ?? "") }
        let approvals = Set(resources.filter { $0.kind == .environment && UIPipelinePage.requiresApproval($0) }.map(\.key.name))
        let history = try await context.store.history(deployment: name)
        var model: [String: Any] = ["name": name]
        model["environments"] = applied.map { row -> [String: Any] in
            var card = UIPipelinePage.deploymentCard(row, holds: holds, approval: approvals.contains(row.resource.key.environment ?? ""), viewer: viewer)
            if let blocked = card.removeValue(forKey: "blocked") { card["message"] = "blocked: \(blocked)" }
            return card
        }
        model["history"] = history.reversed().prefix(100).map { entry -> [String: String] in
            ["time": UIFormat.time(entry.time), "environment": entry.environment, "version": entry.version, "action": entry.action,
             "outcome": entry.outcome, "commit": String(entry.commit.prefix(12)), "seq": entry.seq.map { "\($0)" } ?? ""]
        }
        let events = try await UIEventsPage.recent(context.store, limit: 20, scanning: 5_000) { $0.resource == "Deployment/\(name)" }
        model["events"] = events.map(UIFormat.event)
        let plan = await planPart(context, name: name, refresh: viewer.refresh)
        guard !applied.isEmpty || !history.isEmpty || plan.known else { return nil }
        model.merge(plan.model) { _, new in new }
        return model
    }

    /// The plan's actions and blocked items for the Deployment, and `explain` for each environment,
    /// from the plan the loop makes between passes (`UIPlans`).
    static func planPart(_ context: APIContext, name: String, refresh: Bool) async -> (model: [String: Any], known: Bool) {
        let made = await context.plans.plan(context, refresh: refresh)
        guard var preview = made.preview else { return (["planNote": made.note ?? "no plan yet"], false) }
        guard preview.errors.isEmpty else {
            return (["planNote": "the branch tip does not validate (\(preview.errors.count) error(s)); the plan is the last applied commit's"], false)
        }
        if preview.plan.blocked.isEmpty, let incidents = try? await Reconciler.incidents(in: context.store) { preview.facts.incidents = incidents }
        let actions = preview.plan.actions.filter { $0.key.kind == .deployment && $0.key.name == name }
        let blocked = preview.plan.blocked.filter { $0.key.kind == .deployment && $0.key.name == name }
        var model: [String: Any] = [:]
        if let note = made.note { model["planNote"] = note }
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

/// The plan the Deployment pages show, made by the loop between passes (`ReconcileService.plan`)
/// at most once per event-log head and 10 s: a page opened waits for it (up to 3 s while a pass
/// runs); a live refresh never asks the loop and shows the last plan made.
final class UIPlans: Sendable {
    private let cached = Mutex<(seq: Int64, made: Date, preview: Reconciler.Preview)?>(nil)
    private let turn = UITurn()

    init() {}

    func plan(_ context: APIContext, refresh: Bool) async -> (preview: Reconciler.Preview?, note: String?) {
        let last = cached.withLock { $0 }
        if refresh { return (last?.preview, last.map { "the plan as of seq \($0.seq); reload the page for a new one" }) }
        return (try? await turn.run { () async -> (preview: Reconciler.Preview?, note: String?) in
            guard let head = try? await context.store.eventHead().seq else { return (nil, "the store does not answer") }
            if let hit = self.cached.withLock({ $0 }), hit.seq == head, Date().timeIntervalSince(hit.made) < 10 { return (hit.preview, nil) }
            do {
                let preview = try await withPlanTimeout(seconds: 3) { try await context.reconcile.plan() }
                self.cached.withLock { $0 = (head, Date(), preview) }
                return (preview, nil)
            } catch is CancellationError {
                return (last?.preview, "a reconcile pass is running; " + (last.map { "this is the plan as of seq \($0.seq)" } ?? "the plan shows after it"))
            } catch {
                return (last?.preview, "no plan: \(error)")
            }
        }) ?? (nil, "no plan")
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
            events = try await after(context.store, since: since, limit: 200) { matches($0, filters) }
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
    /// a page at a time (at most `scanning` records).
    static func recent(_ store: any StateStore, limit: Int, scanning: Int64 = 20_000, _ take: (EventRecord) -> Bool) async throws -> [EventRecord] {
        let head = try await store.eventHead().seq
        var found: [EventRecord] = []
        var upper = head
        let page: Int64 = 1_000
        while upper > 0, found.count < limit, head - upper < scanning {
            let from = max(0, upper - page)
            let records = try await store.events(since: from, limit: Int(upper - from))
            found.append(contentsOf: records.reversed().filter(take).prefix(limit - found.count))
            upper = from
        }
        return found
    }

    /// The first `limit` records after `since` that `take` accepts, oldest first (at most 20,000 read).
    static func after(_ store: any StateStore, since: Int64, limit: Int, _ take: (EventRecord) -> Bool) async throws -> [EventRecord] {
        var found: [EventRecord] = []
        var cursor = since
        while found.count < limit, cursor - since < 20_000 {
            let records = try await store.events(since: cursor, limit: 1_000)
            guard let last = records.last else { break }
            found.append(contentsOf: records.filter(take).prefix(limit - found.count))
            cursor = last.seq
        }
        return found
    }
}

/// `verify-log`'s verdict for `/events`: the whole log checked once, then only the records
/// written since (a broken chain stays broken), one check at a time.
final class UIVerdicts: Sendable {
    private let cached = Mutex<ChainVerification?>(nil)
    private let turn = UITurn()

    init() {}

    func verdict(of store: any StateStore) async throws -> ChainVerification {
        try await turn.run {
            let head = try await store.eventHead().seq
            guard let known = self.cached.withLock({ $0 }) else {
                let verdict = try await store.verifyEventLog()
                self.cached.withLock { $0 = verdict }
                return verdict
            }
            guard case .valid(let count, let verified) = known, verified.seq < head else { return known }
            var verifier = EventChain.Verifier(head: verified, count: count)
            var verdict = verifier.result
            var after = verified.seq
            while after < head, verdict.isValid {
                let records = try await store.events(since: after, limit: 1_000)
                guard let last = records.last else { break }
                for record in records where verdict.isValid { verdict = verifier.check(record) ?? verifier.result }
                after = last.seq
            }
            self.cached.withLock { $0 = verdict }
            return verdict
        }
    }
}

/// Runs one body at a time, in arrival order.
actor UITurn {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
