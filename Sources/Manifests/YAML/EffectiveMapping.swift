import Yams

/// A mapping with string keys and merge keys (`<<`) applied; explicit keys win over merged ones.
struct EffectiveMapping {
    struct Entry {
        let key: String
        let keyPosition: SourcePosition
        let value: Node
    }

    private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]
    let position: SourcePosition

    init(_ mapping: Node.Mapping, path: [any CodingKey]) throws {
        position = mapping.mark.map { SourcePosition(line: $0.line, column: $0.column) } ?? SourcePosition(line: 1, column: 1)
        var merged: [Node.Mapping] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw FieldProblem(path: FieldPath.render(path), position: YAMLDocumentLoader.position(of: key),
                                   message: "mapping keys must be strings, got \(NodeDecoder.describe(key))")
            }
            if scalar.style == .plain, scalar.string == "<<" {
                merged.append(contentsOf: try Self.mergeSources(value, path: path))
                continue
            }
            let keyPosition = YAMLDocumentLoader.position(of: key)
            // A key is its text; a core tag written on it must still fit (`!!int abc: x` is refused).
            let written = NodeDecoder.scalar(scalar)
            if let tag = written.tag, tag != .str {
                do { _ = try written.value() } catch {
                    throw FieldProblem(path: FieldPath.render(path), position: keyPosition, message: "mapping key: \(written.message(error))")
                }
            }
            // Keys that differ only by tag (`1` and `!!int 1`) are the same key to the model.
            guard index[scalar.string] == nil else {
                throw FieldProblem(path: FieldPath.render(path), position: keyPosition, message: "duplicate key '\(scalar.string)' in a mapping")
            }
            add(Entry(key: scalar.string, keyPosition: keyPosition, value: value))
        }
        for source in merged {
            let inner = try EffectiveMapping(source, path: path)
            for entry in inner.entries where index[entry.key] == nil { add(entry) }
        }
    }

    private mutating func add(_ entry: Entry) {
        index[entry.key] = entries.count
        entries.append(entry)
    }

    subscript(key: String) -> Entry? { index[key].map { entries[$0] } }

    var keys: [String] { entries.map(\.key) }

    private static func mergeSources(_ value: Node, path: [any CodingKey]) throws -> [Node.Mapping] {
        switch value {
        case .mapping(let mapping):
            return [mapping]
        case .sequence(let sequence):
            return try sequence.map { item in
                guard case .mapping(let mapping) = item else {
                    throw FieldProblem(path: FieldPath.render(path), position: YAMLDocumentLoader.position(of: item),
                                       message: "a merge key (<<) takes a mapping or a list of mappings")
                }
                return mapping
            }
        default:
            throw FieldProblem(path: FieldPath.render(path), position: YAMLDocumentLoader.position(of: value),
                               message: "a merge key (<<) takes a mapping or a list of mappings")
        }
    }
}
