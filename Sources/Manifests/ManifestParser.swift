import Yams

/// Parses manifest files into resources, collecting every error with file:line:col.
public enum ManifestParser {
    /// The resources and errors of one file.
    public struct FileResult: Sendable {
        public var resources: [Resource] = []
        public var errors: [ValidationError] = []

        public init(resources: [Resource] = [], errors: [ValidationError] = []) {
            self.resources = resources
            self.errors = errors
        }
    }

    public static func parse(file: String, bytes: [UInt8], limits: YAMLLimits = .standard) -> FileResult {
        if let fast = parseFast(file: file, bytes: bytes, limits: limits) { return fast }
        return parseGeneral(file: file, bytes: bytes, limits: limits)
    }

    /// Yams' composer and `NodeDecoder`: every error, with its position and message.
    static func parseGeneral(file: String, bytes: [UInt8], limits: YAMLLimits = .standard) -> FileResult {
        var result = FileResult()
        let documents: [YAMLDocument]
        do {
            documents = try YAMLDocumentLoader.load(bytes, limits: limits)
        } catch {
            result.errors.append(ValidationError(file: file, position: error.position, message: error.message))
            return result
        }
        for document in documents {
            switch decode(document, file: file) {
            case .success(let resource): result.resources.append(resource)
            case .failure(let failure): result.errors.append(contentsOf: failure.errors)
            }
        }
        return result
    }

    private struct Failure: Error { var errors: [ValidationError] }

    private static func decode(_ document: YAMLDocument, file: String) -> Result<Resource, Failure> {
        let root = document.root
        func fail(_ position: SourcePosition, _ resource: String?, _ field: String?, _ message: String) -> Result<Resource, Failure> {
            .failure(Failure(errors: [ValidationError(file: file, position: position, resource: resource, field: field, message: message)]))
        }
        guard case .mapping(let mapping) = root else {
            return fail(document.position, nil, nil, "a manifest must be a mapping with apiVersion, kind, metadata and spec, got \(NodeDecoder.describe(root))")
        }
        let top: EffectiveMapping
        do { top = try EffectiveMapping(mapping, path: []) } catch let problem as FieldProblem {
            return fail(problem.position, nil, problem.path, problem.message)
        } catch { return fail(document.position, nil, nil, "\(error)") }

        let name = top["metadata"].flatMap { entry -> String? in
            guard case .mapping(let meta) = entry.value else { return nil }
            return meta["name"]?.string
        }
        guard let kindEntry = top["kind"] else {
            return fail(document.position, nil, "kind", "required field 'kind' is missing")
        }
        guard case .scalar(let kindScalar) = kindEntry.value, let kind = ResourceKind(rawValue: kindScalar.string) else {
            let shown = (kindEntry.value.string).flatMap { $0.isEmpty ? nil : $0 } ?? "?"
            return fail(YAMLDocumentLoader.position(of: kindEntry.value), name.map { "\(shown)/\($0)" }, "kind",
                        "unknown kind \(NodeDecoder.describe(kindEntry.value)), expected one of: \(ResourceKind.allowedValues)")
        }
        var label = name.map { "\(kind.rawValue)/\($0)" }
        let state = DecodingState()
        let decoder = NodeDecoder(node: root, codingPath: [], state: state)
        let body: ResourceBody
        do {
            body = try ResourceBody.decode(kind, with: decoder)
        } catch let problem as FieldProblem {
            if kind == .agentBlueprint, let name, let version = versionOf(top) { label = "\(kind.rawValue)/\(name)@\(version)" }
            return fail(problem.position, label, problem.path, problem.message)
        } catch {
            return fail(document.position, label, nil, "\(error)")
        }
        let resource = Resource(body: body, file: file, position: document.position, positionTable: FieldPositionTable(state.positions))
        var errors = unknownFields(state, resource: resource)
        if body.kindApiVersion != stewardAPIVersion {
            errors.append(resource.error("apiVersion", "unsupported apiVersion '\(body.kindApiVersion)', expected '\(stewardAPIVersion)'"))
        }
        return errors.isEmpty ? .success(resource) : .failure(Failure(errors: errors))
    }

    private static func versionOf(_ top: EffectiveMapping) -> String? {
        guard case .mapping(let spec)? = top["spec"]?.value else { return nil }
        return spec["version"]?.string
    }

    private static func unknownFields(_ state: DecodingState, resource: Resource) -> [ValidationError] {
        var errors: [ValidationError] = []
        for tracker in state.keyTrackers {
            for entry in tracker.mapping.entries where !tracker.used.contains(entry.key) {
                let path = FieldPath.render(tracker.path + [NameKey(entry.key)])
                var message = "unknown field '\(entry.key)'"
                if let suggestion = Spelling.closest(to: entry.key, among: tracker.used) {
                    message += ", did you mean '\(suggestion)'?"
                }
                errors.append(ValidationError(file: resource.file, position: entry.keyPosition, resource: resource.id,
                                              field: path, message: message))
            }
        }
        return errors
    }
}

extension ResourceBody {
    var kindApiVersion: String {
        switch self {
        case .runtimeAdapter(let m): return m.apiVersion
        case .agentBlueprint(let m): return m.apiVersion
        case .environment(let m): return m.apiVersion
        case .deployment(let m): return m.apiVersion
        case .backupSchedule(let m): return m.apiVersion
        case .target(let m): return m.apiVersion
        }
    }
}

/// Suggestions for misspelt field names.
enum Spelling {
    static func closest(to word: String, among candidates: Set<String>) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
