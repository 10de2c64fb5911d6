import ArgumentParser
import Controller
import Foundation
import Manifests
import Reconcile

/// `steward explain NAME [-o text|json]` (DESIGN §14): why a Deployment (or `KIND/NAME`, in each of
/// its environments) is or is not converged — the chain of causes, then what would unblock it.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Explain why a Deployment (or KIND/NAME) is or is not converged, and what would unblock it.")

    @OptionGroup var configOption: ConfigOption

    @Argument(help: "A Deployment name, or KIND/NAME (e.g. RuntimeAdapter/desktop-main).")
    var name: String

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: ExplainFormat = .text

    func run() async throws {
        let settings = try configOption.loadForReading()
        // Read-only, as `diff`: the same plan, nothing written.
        let preview = try await settings.withStore(access: .readOnly) { store in
            try await Reconciler(settings: settings, store: store, logger: .init(label: "steward")).preview(revision: nil, explaining: true)
        }
        let keys: [ResourceKey]
        switch preview.facts.keys(named: name) {
        case .found(let found): keys = found
        case .unknownKind(let kind):
            throw CLIError("unknown kind '\(kind)' in '\(name)': use one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        case .notFound(let message): throw CLIError(message)
        }
        let explanations = keys.map(preview.explain)
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            // A Deployment is in one environment: one object; KIND/NAME may be in several, and a Deployment
            // on an environment's Targets is on each of them: a list.
            let data = name.contains("/") || explanations.count > 1 ? try encoder.encode(explanations) : try encoder.encode(explanations[0])
            print(String(decoding: data, as: UTF8.self))
        case .text:
            print(explanations.map(\.text).joined(separator: "\n\n"))
        }
    }
}

/// `explain -o text|json`.
enum ExplainFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
