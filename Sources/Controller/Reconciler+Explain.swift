import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore

extension Reconciler {
    /// How far back `explain` looks for the last failure of each resource: the newest records only,
    /// so a long log costs what a short one does.
    static let incidentWindow: Int64 = 5_000

    /// The newest failure event of each resource in each environment, among the last records of the log.
    public static func incidents(in store: any StateStore) async throws -> [ResourceKey: ExplainFacts.Incident] {
        let head = try await store.eventHead()
        let records = try await store.events(since: max(0, head.seq - Self.incidentWindow), limit: nil)
        var incidents: [ResourceKey: ExplainFacts.Incident] = [:]
        for record in records where ExplainFacts.incidentTypes.contains(record.type) {
            guard let key = key(resource: record.resource, environment: record.environment) else { continue }
            incidents[key] = ExplainFacts.Incident(seq: record.seq, type: record.type, message: record.message, commit: record.commit)
        }
        return incidents
    }

    /// `Kind/name` and an environment as a key; nil for controller-wide events.
    static func key(resource: String?, environment: String?) -> ResourceKey? {
        guard let resource, let slash = resource.firstIndex(of: "/"),
              let kind = ResourceKind(rawValue: String(resource[..<slash])) else { return nil }
        return ResourceKey(kind: kind, name: String(resource[resource.index(after: slash)...]), environment: environment)
    }

    /// What Git asks for, with the file and line that ask for it (`spec.version` for a Deployment) at
    /// `commit`, the tip: the commit a resource's record carries may be older (a revert back to a spec
    /// applied before keeps that record's commit, which asked for something else in between).
    /// Environments and BackupSchedules (records, not per environment) are wanted at `commit`.
    static func wanted(_ fleet: Fleet, desired: [ResourceKey: DesiredResource], records: [ResourceKey: JSONValue],
                       commit: String) -> [ResourceKey: ExplainFacts.Wanted] {
        var wanted: [ResourceKey: ExplainFacts.Wanted] = [:]
        for key in records.keys where desired[key] == nil {
            let source = fleet.resources.first { $0.kind == key.kind && $0.name == key.name }
            wanted[key] = ExplainFacts.Wanted(version: nil, blueprint: nil, file: source?.file ?? "", line: source?.position.line, commit: commit)
        }
        for (key, resource) in desired {
            let source: Resource?
            switch key.kind {
            case .deployment: source = fleet.deployments[key.name]?.resource
            case .runtimeAdapter: source = fleet.adapterResources[key.name]
            case .agentBlueprint: source = key.blueprintRef.flatMap { fleet.blueprintResources[$0] }
            default: source = nil
            }
            let line = source.map { key.kind == .deployment ? $0.position(of: "spec.version").line : $0.position.line }
            wanted[key] = ExplainFacts.Wanted(version: resource.version, blueprint: resource.document["spec"]?["blueprint"]?.string,
                                              file: source?.file ?? "", line: line, commit: commit)
        }
        return wanted
    }
}
