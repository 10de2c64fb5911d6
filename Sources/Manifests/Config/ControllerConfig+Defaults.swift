import Foundation

extension ControllerConfig {
    /// The branch watched (default `main`).
    public var branch: String { source.branch ?? "main" }
    /// The sub-folder holding manifests (default the repository root).
    public var sourcePath: String { source.path ?? "." }
    public var allowEmpty: Bool { reconcile?.allowEmpty ?? false }
    public var prune: Bool { reconcile?.prune ?? true }
    public var selfHeal: Bool { reconcile?.selfHeal ?? true }
    public var concurrency: Int { max(1, reconcile?.concurrency ?? 4) }
    public var storeURL: ValueOrSecret { store?.url ?? .value("sqlite://.steward/state.db") }
    public var eventLogDirectory: String { eventLog?.directory ?? ".steward/events" }

    /// Parses durations like `30s`, `5m`, `1h30m`, `500ms`, `2d` into seconds.
    public static func seconds(_ text: String) -> Double? {
        var total = 0.0, number = "", unit = "", sawPart = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s", "": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: return false
            }
            total += value * scale
            number = ""; unit = ""; sawPart = true
            return true
        }
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else { return nil }
        }
        if !number.isEmpty { guard flush() else { return nil } }
        return sawPart ? total : nil
    }

    /// Resolves a path in the configuration against the folder holding `controller.yaml`.
    public static func resolve(_ path: String, relativeTo base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((base as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }
}
