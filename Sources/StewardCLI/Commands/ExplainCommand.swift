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
        let settings = try configOption.load()
        // Read-only, as `diff`: the same plan, nothing written.
        let preview = try await settings.withStore(access: .readOnly) { store in
            try await Reconciler(settings: settings, store: store, logger: .init(label: "steward")).preview(revision: nil)
        }
        let keys = try Self.keys(name, facts: preview.facts)
        let explanations = keys.map(preview.explain)
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            // A Deployment is in one environment: one object; KIND/NAME may be in several: a list.
            let data = name.contains("/") ? try encoder.encode(explanations) : try encoder.encode(explanations[0])
            print(String(decoding: data, as: UTF8.self))
        case .text:
            print(explanations.map(\.text).joined(separator: "\n\n"))
        }
    }

    /// The keys `name` names among what Git wants and what was applied; a clear error when none.
    static func keys(_ name: String, facts: ExplainFacts) throws -> [ResourceKey] {
        let known = Set(facts.wanted.keys).union(facts.applied.keys)
        let matches: [ResourceKey]
        if let slash = name.firstIndex(of: "/") {
            let kindName = String(name[..<slash]), bare = String(name[name.index(after: slash)...])
            guard let kind = ResourceKind.allCases.first(where: { $0.rawValue.lowercased() == kindName.lowercased() }) else {
                throw CLIError("unknown kind '\(kindName)' in '\(name)': use one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            matches = known.filter { $0.kind == kind && $0.name == bare }.sorted()
        } else {
            matches = known.filter { $0.kind == .deployment && $0.name == name }.sorted()
        }
        guard !matches.isEmpty else {
            throw CLIError("no \(name.contains("/") ? name : "Deployment '\(name)'") in Git at the tip or in the store")
        }
        return matches
    }
}

/// `explain -o text|json`.
enum ExplainFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
