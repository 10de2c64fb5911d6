import Foundation

extension ControllerConfig {
    /// A problem with `controller.yaml`, with file:line:col.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var errors: [ValidationError]
        public var description: String { errors.map(\.description).joined(separator: "\n") }
    }

    /// Reads and strictly decodes a `controller.yaml`, then applies `STEWARD_*` environment overrides.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ControllerConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(errors: [ValidationError(file: path, position: SourcePosition(line: 1, column: 1),
                                                     message: "cannot read the configuration file (pass --config FILE)")])
        }
        return try parse(bytes: Array(data), file: path, environment: environment)
    }

    public static func parse(bytes: [UInt8], file: String, environment: [String: String] = [:]) throws -> ControllerConfig {
        func fail(_ position: SourcePosition, _ field: String?, _ message: String) -> LoadError {
            LoadError(errors: [ValidationError(file: file, position: position, field: field, message: message)])
        }
        let documents: [YAMLDocument]
        do { documents = try YAMLDocumentLoader.load(bytes) } catch { throw fail(error.position, nil, error.message) }
        guard documents.count == 1, let root = documents.first else {
            throw fail(SourcePosition(line: 1, column: 1), nil, "expected one YAML document, found \(documents.count)")
        }
        let state = DecodingState()
        var config: ControllerConfig
        do {
            config = try NodeDecoder(node: root.root, codingPath: [], state: state).decodeSelf(ControllerConfig.self)
        } catch let problem as FieldProblem {
            throw fail(problem.position, problem.path, problem.message)
        }
        var unknown: [ValidationError] = []
        for tracker in state.keyTrackers {
            for entry in tracker.mapping.entries where !tracker.used.contains(entry.key) {
                unknown.append(ValidationError(file: file, position: entry.keyPosition,
                                               field: FieldPath.render(tracker.path + [NameKey(entry.key)]),
                                               message: "unknown field '\(entry.key)'"))
            }
        }
        if !unknown.isEmpty { throw LoadError(errors: unknown) }
        let receivers = config.notificationErrors(file: file, positions: state.positions)
        if !receivers.isEmpty { throw LoadError(errors: receivers) }
        if let text = config.reconcile?.fullProbeInterval, ControllerConfig.seconds(text).map({ $0 > 0 }) != true {
            let field = "reconcile.fullProbeInterval"
            throw fail(state.positions[field] ?? SourcePosition(line: 1, column: 1), field, "'\(text)' is not a duration like 10m or 30s")
        }
        if let count = config.reconcile?.probeConcurrency, count < 1 {
            let field = "reconcile.probeConcurrency"
            throw fail(state.positions[field] ?? SourcePosition(line: 1, column: 1), field, "must be at least 1, got \(count)")
        }
        try config.applyOverrides(environment, file: file)
        return config
    }

    /// Applies `STEWARD_<PATH>` variables (option > environment variable > file).
    mutating func applyOverrides(_ environment: [String: String], file: String) throws {
        for (name, value) in environment where name.hasPrefix("STEWARD_") {
            guard let setter = Self.overrides[name] else { continue }
            do { try setter(&self, value) } catch {
                throw LoadError(errors: [ValidationError(file: file, position: SourcePosition(line: 1, column: 1),
                                                         message: "environment variable \(name): \(error)")])
            }
        }
    }
}
