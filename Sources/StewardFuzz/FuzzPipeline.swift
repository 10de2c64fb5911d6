import Foundation
import Manifests
import Reconcile

/// YAML → manifests → validation → desired state → diff → plan, for one fuzz input: the input
/// alone, then in place of the quickstart resources it names beside the rest of the quickstart
/// fleet (with and without its deployments), so a single valid resource reaches the planner,
/// diffed against the quickstart fleet as applied (so updates, drift and prunes are planned too).
enum FuzzPipeline {
    static let commit = String(repeating: "a", count: 40)
    static let previous = String(repeating: "b", count: 40)

    static func run(_ bytes: [UInt8]) {
        let parsed = ManifestParser.parse(file: "fuzz/input.yaml", bytes: bytes)
        for error in parsed.errors { precondition(!error.description.isEmpty) }
        plan(FleetValidator.validate(resources: parsed.resources, parseErrors: parsed.errors), applied: [:])
        guard parsed.errors.isEmpty, !parsed.resources.isEmpty else { return }
        // The input replaces the quickstart resources it names (a changed file), then joins them.
        let replaced = Set(parsed.resources.map(\.id))
        let others = Quickstart.resources.filter { !replaced.contains($0.id) }
        plan(FleetValidator.validate(resources: others + parsed.resources), applied: Quickstart.applied)
        let withoutDeployments = others.filter { $0.kind != .deployment }
        plan(FleetValidator.validate(resources: withoutDeployments + parsed.resources), applied: Quickstart.applied)
    }

    static func plan(_ report: ValidationReport, applied: [ResourceKey: AppliedResource]) {
        guard report.isValid else { return }
        let desired = DesiredState.build(report.fleet, commit: commit, applied: applied)
        _ = DesiredState.records(report.fleet)
        let probes = Dictionary(uniqueKeysWithValues: applied.keys.enumerated().map { index, key in
            (key, ObservedProbe(drifted: index % 3 == 0, missing: index % 5 == 0))
        })
        let changes = Differ.diff(desired: desired, applied: applied, probes: probes)
        let plan = Planner.plan(changes: changes, commit: commit)
        for action in plan.actions { precondition(action.idempotencyKey.count == 64) }
        _ = try? JSONEncoder().encode(plan)
    }
}

/// The quickstart fleet (examples/quickstart, read once) and what applying it would record.
enum Quickstart {
    static let files: [FleetValidator.SourceFile] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/quickstart").path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [FleetValidator.SourceFile] = []
        while let relative = walker.nextObject() as? String {
            guard FleetValidator.isManifestPath(relative), let data = FileManager.default.contents(atPath: root + "/" + relative) else { continue }
            files.append(FleetValidator.SourceFile(path: relative, bytes: Array(data)))
        }
        return files.sorted { $0.path < $1.path }
    }()

    /// The quickstart files parsed once.
    static let resources: [Resource] = files.flatMap { ManifestParser.parse(file: $0.path, bytes: $0.bytes).resources }

    static let applied: [ResourceKey: AppliedResource] = {
        let report = FleetValidator.validate(files: files)
        precondition(report.isValid, "the quickstart fleet must validate: \(report.errors)")
        let now = Date(timeIntervalSince1970: 0)
        return DesiredState.build(report.fleet, commit: FuzzPipeline.previous).mapValues { desired in
            AppliedResource(key: desired.key, specHash: desired.specHash, spec: desired.document, commit: desired.commit,
                            version: desired.version, createdAt: now, updatedAt: now)
        }
    }()
}
