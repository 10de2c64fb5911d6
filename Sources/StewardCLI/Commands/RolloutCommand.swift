import ArgumentParser
import Controller
import Foundation
import Manifests
import Reconcile

/// `steward rollout DEPLOYMENT [-o text|json] [--watch]` (DESIGN §10): where a Deployment's rollout
/// across its Targets stands — the step, the targets per version, what it waits for and until when.
/// Read from the same plan `diff` shows; nothing is written.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Show a Deployment's rollout across its Targets: step, targets per version, the gate it waits for.")

    @OptionGroup var configOption: ConfigOption
    @Argument(help: "The Deployment.") var deployment: String
    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.") var output: TextOrJSON = .text
    @Flag(help: "Refresh every 2 seconds until interrupted.") var watch = false

    func run() async throws {
        let settings = try configOption.loadForReading()
        repeat {
            let preview = try await settings.withStore(access: .readOnly) { store in
                try await Reconciler(settings: settings, store: store, logger: .init(label: "steward")).preview(revision: nil)
            }
            guard preview.errors.isEmpty else {
                throw CLIError("the branch tip \(preview.commit.prefix(12)) does not validate (\(preview.errors.count) error\(preview.errors.count == 1 ? "" : "s")): see steward validate")
            }
            guard let rollout = preview.facts.gates.rollouts.values.first(where: { $0.deployment == deployment }) else {
                let known = preview.facts.applied.keys.contains { $0.kind == .deployment && $0.name == deployment }
                    || preview.facts.wanted.keys.contains { $0.kind == .deployment && $0.name == deployment }
                throw CLIError(known ? "\(deployment) runs on its environment's one implicit target (the environment has no Targets); see steward status"
                                     : "Deployment '\(deployment)' not found in Git")
            }
            let view = RolloutView(rollout, applied: preview.facts.applied)
            if watch, output == .text, Terminal.isStandardOutputATTY { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            switch output {
            case .json: print(try Terminal.json(view))
            case .text: print(view.text)
            }
            Terminal.flush()
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }
}

/// What `steward rollout` prints.
struct RolloutView: Encodable {
    struct Target: Encodable {
        var name: String
        var version: String?
        var progress: String
        var sync: String?
        var health: String?
        var message: String?
    }

    var deployment: String
    var environment: String
    var version: String?
    var strategy: String
    var step: Int
    var steps: Int
    var finished: Bool
    var waiting: String?
    var pausedUntil: String?
    /// How many targets run each version.
    var versions: [String: Int]
    var targets: [Target]
    /// Blue-green: the slot taking traffic, and the slot the version goes to.
    var activeSlot: String?
    var slot: String?

    init(_ rollout: RolloutDecision, applied: [ResourceKey: AppliedResource]) {
        deployment = rollout.deployment
        environment = rollout.environment
        version = rollout.version
        strategy = rollout.strategy
        step = rollout.step
        steps = rollout.steps
        finished = rollout.isFinished
        waiting = rollout.waiting
        pausedUntil = rollout.pausedUntil.map(CanonicalJSON.timestamp)
        activeSlot = rollout.activeSlot
        slot = rollout.slot
        targets = rollout.targets.keys.sorted().map { name in
            let record = applied[ResourceKey(kind: .deployment, name: rollout.deployment, environment: rollout.environment, target: name)]
            let running = record.flatMap { $0.specHash.isEmpty ? nil : $0.version }
            return Target(name: name, version: running, progress: rollout.targets[name]?.rawValue ?? "pending",
                          sync: record?.sync.rawValue, health: record?.health.rawValue, message: record?.message)
        }
        versions = Dictionary(targets.map { ($0.version ?? "none", 1) }, uniquingKeysWith: +)
    }

    var text: String {
        var lines = ["\(deployment) in \(environment): \(strategy), step \(step)/\(steps), \(version ?? "?")"
                     + (finished ? " — finished" : "")]
        lines.append("targets: " + versions.sorted { $0.key > $1.key }.map { $0.key == "none" ? "\($0.value) not deployed yet" : "\($0.value) at \($0.key)" }
            .joined(separator: ", ")
                     + " (\(targets.count) in all)")
        if let slot {
            lines.append("traffic: \(activeSlot ?? "no slot yet")" + (activeSlot == slot ? "" : " (switches to \(slot) once its targets pass their gates)"))
        }
        if let waiting { lines.append("waiting: \(waiting)") }
        var table = Table(["TARGET", "VERSION", "PROGRESS", "SYNC", "HEALTH", "MESSAGE"])
        for target in targets {
            table.add([target.name, target.version ?? "-", target.progress, target.sync ?? "-", target.health ?? "-", target.message ?? ""])
        }
        return (lines + ["", table.render()]).joined(separator: "\n")
    }
}
