import Controller
import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore

/// What the status page shows of the store: the view models of its templates, plain dictionaries
/// of strings, so every value reaches the page through Mustache's escaping.
enum UIPipelinePage {
    /// `/`: the promotion pipeline, the source and the controller.
    static func model(_ context: APIContext, viewer: UIViewer) async throws -> [String: Any] {
        let resources = try await context.store.resources()
        let cursor = try await context.store.sourceCursor()
        let holds = Dictionary(grouping: try await context.store.holds(), by: { "\($0.deployment)/\($0.environment)" })
        let environments = order(resources.filter { $0.kind == .environment })
        // A Deployment on an environment's Targets is one card, with how many of them run its version.
        let deployments = Dictionary(grouping: TargetSummary.rows(resources.filter { $0.kind == .deployment }),
                                     by: { $0.resource.key.environment ?? "" })
        var stages: [[String: Any]] = []
        for environment in environments {
            let name = environment.key.name
            let approval = requiresApproval(environment)
            var stage: [String: Any] = ["name": name, "approval": approval]
            if let from = environment.spec["spec"]?["promotesFrom"]?.string { stage["promotesFrom"] = from }
            stage["deployments"] = (deployments[name] ?? []).sorted { $0.resource.key.name < $1.resource.key.name }.map {
                deploymentCard($0, holds: holds, approval: approval, viewer: viewer)
            }
            stages.append(stage)
        }
        var model = controllerFacts(context, cursor: cursor)
        model["environments"] = stages
        // The pipeline shows the Deployments; the table the rest, the first `tableRows` of them.
        let others = TargetSummary.rows(resources.filter { $0.kind != .deployment }).map(\.resource)
        model["resources"] = others.prefix(Self.tableRows).map(row)
        if others.count > Self.tableRows { model["moreResources"] = "and \(others.count - Self.tableRows) more: steward status lists them all" }
        let errors = cursor?.errors ?? []
        model["hasErrors"] = !errors.isEmpty
        model["errorCount"] = "\(errors.count)"
        model["errors"] = errors.map { error -> [String: String] in
            ["location": "\(error.file):\(error.position.line):\(error.position.column)",
             "message": (error.field.map { "\($0): " } ?? "") + error.message]
        }
        if let lastError = context.reconcile.lastError { model["lastError"] = lastError }
        return model
    }

    /// The applied and seen commits, the leader and the loop's timing.
    static func controllerFacts(_ context: APIContext, cursor: SourceCursor?) -> [String: Any] {
        let times = context.reconcile.passTimes
        var model: [String: Any] = [
            "appliedShort": cursor?.lastAppliedCommit.map { String($0.prefix(12)) } ?? "none yet",
            "seenShort": cursor?.lastSeenCommit.map { String($0.prefix(12)) } ?? "none yet",
            "lastPass": times.last.map { "\(UIFormat.time($0)) (\(StatusView.age(from: $0)) ago)" } ?? "not yet",
            "nextPass": times.next.map { $0 <= Date() ? "now" : "\(UIFormat.time($0)) (in \(StatusView.age(from: Date(), now: $0)))" }
                ?? (times.last == nil ? "starting" : "running now"),
        ]
        model["leader"] = context.reconcile.isLeader ? "this replica" + (context.leader.map { " (\($0))" } ?? "") : "another replica"
        return model
    }

    static let tableRows = 200

    /// One Deployment in one environment, as its card shows it; `holds` by `deployment/environment`.
    static func deploymentCard(_ row: TargetSummary.Row, holds: [String: [Hold]], approval: Bool, viewer: UIViewer) -> [String: Any] {
        let resource = row.resource
        let environment = resource.key.environment ?? ""
        let targets = row.targets ?? (resource.sync == .synced ? (1, 1) : (0, 1))
        var card: [String: Any] = [
            "name": resource.key.name, "environment": environment, "version": resource.version ?? "-",
            "sync": resource.sync.rawValue, "health": resource.health.rawValue, "commit": String(resource.commit.prefix(12)),
            // An environment without Targets is one implicit target (DESIGN §10).
            "rollout": "\(targets.0)/\(targets.1) target\(targets.1 == 1 ? "" : "s") at \(resource.version ?? "-")",
            "holds": (holds["\(resource.key.name)/\(environment)"] ?? [])
                .map { "\($0.version) — \($0.reason)" + ($0.seq.map { " (seq \($0))" } ?? "") },
        ]
        if resource.sync == .blocked, let message = resource.message { card["blocked"] = message } else if let message = resource.message { card["message"] = message }
        card["canApprove"] = viewer.canAct && approval && resource.sync == .blocked
        return card
    }

    static func requiresApproval(_ environment: AppliedResource) -> Bool {
        if case .bool(true)? = environment.spec["spec"]?["gates"]?["requireApproval"] { return true }
        return false
    }

    /// Environments in `promotesFrom` order: each after the one it promotes from, first stages by name.
    static func order(_ environments: [AppliedResource]) -> [AppliedResource] {
        let names = Set(environments.map(\.key.name))
        var children: [String: [AppliedResource]] = [:]
        var roots: [AppliedResource] = []
        for environment in environments.sorted(by: { $0.key.name < $1.key.name }) {
            if let from = environment.spec["spec"]?["promotesFrom"]?.string, names.contains(from), from != environment.key.name {
                children[from, default: []].append(environment)
            } else {
                roots.append(environment)
            }
        }
        var ordered: [AppliedResource] = []
        var seen: Set<String> = []
        var queue = roots
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard seen.insert(next.key.name).inserted else { continue }
            ordered.append(next)
            queue.append(contentsOf: children[next.key.name] ?? [])
        }
        // A cycle (refused by validation) still shows every environment.
        ordered.append(contentsOf: environments.filter { !seen.contains($0.key.name) }.sorted { $0.key.name < $1.key.name })
        return ordered
    }

    static func row(_ resource: AppliedResource) -> [String: String] {
        ["kind": resource.kind.rawValue, "name": resource.key.name, "environment": resource.key.environment ?? "-",
         "version": resource.version ?? "-", "sync": resource.sync.rawValue, "health": resource.health.rawValue,
         "message": resource.message ?? "", "description": resource.spec["spec"]?["description"]?.string ?? ""]
    }
}

/// Times as the page prints them: RFC 3339 UTC to the second.
enum UIFormat {
    static func time(_ date: Date) -> String {
        String(CanonicalJSON.timestamp(date).prefix(19)).replacingOccurrences(of: "T", with: " ") + "Z"
    }

    /// An event record as a table row.
    static func event(_ record: EventRecord) -> [String: String] {
        ["seq": "\(record.seq)", "time": String(record.time.prefix(19)).replacingOccurrences(of: "T", with: " "), "type": record.type,
         "resource": record.resource ?? "", "environment": record.environment ?? "", "message": record.message]
    }
}
