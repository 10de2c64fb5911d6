import Yams

extension NodeDecoder {
    /// A composed scalar as written: text, style and the core tag on it (non-core tags are
    /// refused before decoding, by `YAMLStructureCheck`).
    static func scalar(_ scalar: Node.Scalar) -> YAMLScalar {
        let name = scalar.tag.rawValue
        return YAMLScalar(text: scalar.string, plain: scalar.style == .plain,
                          tag: name.isEmpty ? nil : CoreTag.named(name, on: .scalar))
    }

    static func isNull(_ scalar: Node.Scalar) -> Bool { Self.scalar(scalar).isNull }

    /// Whether a plain scalar's text is a YAML 1.2 core null.
    static func isNullText(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// Whether a plain scalar's text is a YAML 1.2 core boolean, and which.
    static func coreBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar): return Self.scalar(scalar).description
        }
    }

    static func truncated(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    var isNullNode: Bool {
        if case .scalar(let scalar) = node { return Self.isNull(scalar) }
        return false
    }

    /// Reads this node as a scalar with `read`, turning a mismatch into a problem at this field.
    private func scalar<T>(expecting expected: String, _ read: (YAMLScalar) throws(YAMLScalar.Mismatch) -> T) throws -> T {
        guard case .scalar(let node) = node else { throw problem("expected \(expected), got \(Self.describe(self.node))") }
        let scalar = Self.scalar(node)
        do {
            return try read(scalar)
        } catch {
            throw problem(scalar.message(error))
        }
    }

    func string() throws -> String { try scalar(expecting: "a string") { scalar throws(YAMLScalar.Mismatch) in try scalar.string() } }
    func bool() throws -> Bool { try scalar(expecting: "a boolean (true or false)") { scalar throws(YAMLScalar.Mismatch) in try scalar.bool() } }
    func int() throws -> Int { try scalar(expecting: "an integer") { scalar throws(YAMLScalar.Mismatch) in try scalar.int() } }
    func double() throws -> Double { try scalar(expecting: "a number") { scalar throws(YAMLScalar.Mismatch) in try scalar.double() } }

    /// A problem when a collection carries a core tag of another kind (`!!seq` on a mapping).
    func checkTag(of node: Node, path: [any CodingKey]) throws {
        let (name, kind): (String, FastYAMLTree.Kind)
        switch node {
        case .mapping(let mapping): (name, kind) = (mapping.tag.rawValue, .mapping)
        case .sequence(let sequence): (name, kind) = (sequence.tag.rawValue, .sequence)
        case .scalar, .alias: return
        }
        guard !name.isEmpty, let tag = CoreTag.named(name, on: kind), !tag.fits(kind) else { return }
        throw FieldProblem(path: FieldPath.render(path), position: YAMLDocumentLoader.position(of: node),
                           message: "\(CoreTag.nodeName(kind)) cannot be tagged \(tag.shorthand)")
    }

    /// Free-form YAML as JSON, with YAML 1.2 core scalar resolution and explicit core tags.
    func jsonValue(_ node: Node, path: [any CodingKey]) throws -> JSONValue {
        state.positions[FieldPath.render(path)] = YAMLDocumentLoader.position(of: node)
        try checkTag(of: node, path: path)
        switch node {
        case .scalar(let scalar):
            let value = Self.scalar(scalar)
            do {
                return try value.json()
            } catch {
                throw FieldProblem(path: FieldPath.render(path), position: YAMLDocumentLoader.position(of: node), message: value.message(error))
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            items.reserveCapacity(sequence.count)
            for (index, item) in sequence.enumerated() {
                items.append(try jsonValue(item, path: path + [IndexKey(index)]))
            }
            return .array(items)
        case .mapping(let mapping):
            let effective = try EffectiveMapping(mapping, path: path)
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(effective.entries.count)
            for entry in effective.entries {
                members[entry.key] = try jsonValue(entry.value, path: path + [NameKey(entry.key)])
            }
            return .object(members)
        case .alias:
            return .null
        }
    }
}
